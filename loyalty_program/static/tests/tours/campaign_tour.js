import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("loyalty_program_campaign", {
    steps: () => [
        {
            content: "Start a campaign from the segment",
            trigger: ".o_kanban_record:contains('Tour segment') button[name=action_new_campaign]",
            run: "click",
        },
        {
            content: "The campaign is named after the segment",
            trigger: ".o_field_widget[name=name] input:value('Tour segment')",
        },
        {
            content: "Write the SMS",
            trigger: ".o_field_widget[name=sms_body] textarea",
            run: "edit {first_name}, 100 points are waiting for you! Card *{card_ending}",
        },
        {
            content: "Leave the SMS field",
            trigger: ".o_field_widget[name=placeholders_help]",
            run: "click",
        },
        {
            content: "The editor counts the parts",
            trigger: ".o_field_widget[name=sms_info]:contains('1 part(s) (GSM-7)')",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Preview the audience",
            trigger: ".o_form_saved button[name=action_prepare]",
            run: "click",
        },
        {
            content: "Open the preview",
            trigger: ".o_notebook .nav-link:contains('Audience preview')",
            run: "click",
        },
        {
            content: "Two customers get an SMS",
            trigger: ".o_field_widget[name=sms_count]:contains('2')",
        },
        {
            content: "One consented to nothing",
            trigger: ".o_field_widget[name=no_consent_count]:contains('1')",
        },
        {
            content: "Two SMS parts in all",
            trigger: ".o_field_widget[name=sms_total_parts]:contains('2')",
        },
        {
            content: "Schedule",
            trigger: "button[name=action_schedule]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The campaign is scheduled",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Scheduled')",
        },
    ],
});
