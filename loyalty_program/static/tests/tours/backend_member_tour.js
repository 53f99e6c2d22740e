import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("loyalty_program_backend_member", {
    steps: () => [
        {
            content: "Open the Tour Customer's membership",
            trigger: ".o_data_row td:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "The welcome bonus is the available balance",
            trigger: "button:has(.o_stat_text:contains('Available')) .o_stat_value:contains('150')",
        },
        {
            content: "The ledger tab lists the welcome entry",
            trigger: ".o_form_view .o_field_one2many[name=ledger_ids] td:contains('Welcome bonus')",
        },
        {
            content: "The card is listed",
            trigger: ".o_notebook .nav-link:contains('Cards')",
            run: "click",
        },
        {
            content: "The card is active",
            trigger: ".o_field_one2many[name=card_ids] td:contains('Active')",
        },
    ],
});
