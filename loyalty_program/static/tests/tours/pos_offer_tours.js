import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as Lp from "@loyalty_program/../tests/tours/utils/loyalty_util";
import { openTill, payCash } from "@loyalty_program/../tests/tours/pos_loyalty_tours";
import { registry } from "@web/core/registry";

// The cashier identifies a member, sees the offers, rings up the goods: the
// money discount is laid by itself, the points come with the receipt.
registry.category("web_tour.tours").add("lp_pos_offer_receipt", {
    steps: () =>
        [
            openTill("LP Coffee"),
            Lp.identify("8 (912) 555-00-33"),
            Lp.memberIs("Olga Offerova"),
            Lp.panelContains(".lp-member-offer-label", "x2 points on LP Coffee"),
            Lp.panelContains(".lp-member-offer-label", "-10% on LP Tea"),
            ProductScreen.totalAmountIs("100.00"),
            ProductScreen.clickDisplayedProduct("LP Tea"),
            // The tea's 10% comes off by itself.
            ProductScreen.selectedOrderlineHas("LP Tea"),
            ProductScreen.totalAmountIs("190.00"),
            payCash(),
            Lp.receiptContains(".lp-receipt-offer-points", "+10"),
            Lp.receiptContains(".lp-receipt-offer-discount", "10.00"),
            Lp.receiptContains(".lp-receipt-earned", "19"),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
