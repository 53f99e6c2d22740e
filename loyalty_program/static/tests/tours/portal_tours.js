import { registry } from "@web/core/registry";

// The customer opens the personal account from the portal home, checks the
// figures, changes consent and sends a wish.
registry.category("web_tour.tours").add("lp_portal_account", {
    steps: () => [
        {
            content: "The portal home shows the loyalty entry with the balance",
            trigger: ".o_portal_index_card a[href='/my/loyalty']:contains('145 points')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Balance",
            trigger: ".o_lp_account .o_lp_balance:contains('145')",
        },
        {
            content: "Points on hold and when they become spendable",
            trigger: ".o_lp_pending li:contains('2,046')",
        },
        {
            content: "Tier and progress to the next one",
            trigger: ".o_lp_tier .o_lp_tier_name:contains('Silver')",
        },
        {
            trigger: ".o_lp_tier .o_lp_tier_progress[style*='41%']",
        },
        {
            trigger: ".o_lp_tier_next:contains('58,080.00'):contains('Gold')",
        },
        {
            content: "History: the purchase with its products and pictures",
            trigger: ".o_lp_history tr[data-kind='earn'] .o_lp_product:contains('LP Portal Tea') img",
        },
        {
            content: "Savings: points spent and tier discounts",
            trigger: ".o_lp_saved_total:contains('80.00')",
        },
        {
            trigger: ".o_lp_saved_tier:contains('50.00')",
        },
        {
            content: "The barcode of the card",
            trigger: "img.o_lp_barcode[src^='data:image/png']",
        },
        {
            content: "Agree to SMS offers",
            trigger: "#lp_consent_sms:not(:checked)",
            run: "click",
        },
        {
            trigger: ".o_lp_consent_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The choice is saved",
            trigger: ".o_lp_message:contains('saved')",
        },
        {
            trigger: "#lp_consent_sms:checked",
        },
        {
            content: "Write a wish",
            trigger: ".o_lp_feedback_form select[name=kind]",
            run: "select wish",
        },
        {
            trigger: ".o_lp_feedback_form textarea[name=body]",
            run: "edit Oat milk, please",
        },
        {
            trigger: ".o_lp_feedback_send",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The wish is sent and listed",
            trigger: ".o_lp_message:contains('Thank you')",
        },
        {
            trigger: ".o_lp_feedback_item .o_lp_feedback_body:contains('Oat milk, please')",
        },
    ],
});

// A visitor joins from a phone: the code comes by SMS (read from the mocked
// gateway through a URL the test serves), then the card and the gift show.
registry.category("web_tour.tours").add("lp_portal_join", {
    steps: () => [
        {
            content: "Type the phone the local way",
            trigger: ".o_lp_join input[name=phone]",
            run: "edit 8 912 777-88-99",
        },
        {
            trigger: ".o_lp_send_code",
            run: "click",
        },
        {
            content: "The code is on its way, the resend waits",
            trigger: ".o_lp_join_info:contains('+79127778899')",
        },
        {
            trigger: ".o_lp_resend_code[disabled]",
        },
        {
            content: "Type the code received by SMS",
            trigger: ".o_lp_code_step:not(.d-none) input[name=code]",
            async run(helpers) {
                const response = await fetch(
                    "https://sms.gateway.test/last?number=%2B79127778899"
                );
                await helpers.edit(await response.text());
            },
        },
        {
            trigger: ".o_lp_join input[name=name]",
            run: "edit Pavel Orlov",
        },
        {
            trigger: "#lp_join_consent_sms",
            run: "click",
        },
        {
            trigger: ".o_lp_join_submit:not(.disabled)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Welcome: the gift, spendable now",
            trigger: ".o_lp_join_welcome .o_lp_gift_points:contains('100 points')",
        },
        {
            content: "The card's barcode, shown at once",
            trigger: ".o_lp_join_welcome img.o_lp_barcode[src^='data:image/png']",
        },
        {
            trigger: ".o_lp_join_welcome .o_lp_card_number:contains('27')",
        },
        {
            trigger: ".o_lp_join_welcome a.o_lp_signup[href*='/web/signup']",
        },
    ],
});
