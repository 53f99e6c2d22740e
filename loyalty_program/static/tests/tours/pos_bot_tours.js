import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as Lp from "@loyalty_program/../tests/tours/utils/loyalty_util";
import { openTill, payCash } from "@loyalty_program/../tests/tours/pos_loyalty_tours";
import { registry } from "@web/core/registry";

// The card number the chat received (the program's first card, checked by the test).
const CHAT_CARD = "2700000000014";

// A customer not yet a member: the till shows the bot's QR code; once the
// customer joined in the chat, the card number from the chat pays with the gift.
registry.category("web_tour.tours").add("lp_pos_bot_join_spend", {
    steps: () =>
        [
            openTill("LP Tea", "LP Coffee"),
            ...Lp.clickLoyalty(),
            {
                content: "show the bot's QR code",
                trigger: ".modal .lp-identify-bot",
                run: "click",
            },
            {
                content: "the QR code of this till's link",
                trigger: ".modal .lp-bot-join img.lp-bot-qr[src^='data:image/png']",
            },
            {
                content: "the link carries the till",
                trigger: ".modal .lp-bot-link:contains('?start=pos-')",
            },
            {
                content: "the gift is announced",
                trigger: ".modal .lp-bot-gift:contains('100')",
            },
            {
                content: "close the QR code",
                trigger: ".modal .modal-footer .btn-secondary:contains('Close')",
                run: "click",
            },
            Lp.identify(CHAT_CARD),
            Lp.memberIs("Anna Ivanova", "100"),
            ProductScreen.customerIsSelected("Anna Ivanova"),
            Lp.openSpend(),
            Lp.spendMaximum(),
            Lp.orderPointsAre("100"),
            ProductScreen.totalAmountIs("100.00"),
            payCash(),
            Lp.receiptContains(".lp-receipt-spent", "100"),
            Lp.receiptContains(".lp-receipt-card", "0014"),
        ].flat(),
});
