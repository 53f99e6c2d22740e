import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import { run, scan_barcode } from "@point_of_sale/../tests/generic_helpers/utils";
import * as Lp from "@loyalty_program/../tests/tours/utils/loyalty_util";
import { openTill, payCash } from "@loyalty_program/../tests/tours/pos_loyalty_tours";
import { registry } from "@web/core/registry";

/* global posmodel */

/** Tea and coffee (100 each) paid with 50 points, then the tea returned. */
function saleThenRefundTea() {
    return [
        openTill("LP Tea", "LP Coffee"),
        scan_barcode("2700000000014"),
        Lp.memberIs("Maria Ivanova"),
        Lp.openSpend(),
        Lp.spend("50"),
        Lp.orderPointsAre("50"),
        payCash(),
        ReceiptScreen.clickNextOrder(),
        ...ProductScreen.clickRefund(),
        TicketScreen.selectOrder("001"),
        ProductScreen.clickNumpad("1"),
        TicketScreen.toRefundTextContains("To Refund: 1"),
        TicketScreen.confirmRefund(),
        PaymentScreen.isShown(),
        PaymentScreen.totalIs("75.00"),
    ].flat();
}

// An exchange: the tea comes back, a coffee is sold, 50 points pay for half of it.
registry.category("web_tour.tours").add("lp_pos_exchange", {
    steps: () =>
        [
            saleThenRefundTea(),
            PaymentScreen.clickBack(),
            // Odoo's screen sells nothing on a refund order; an exchange till does.
            run(async () => {
                const order = posmodel.getOrder();
                const coffee = posmodel.models["product.product"].find(
                    (product) => product.name === "LP Coffee"
                );
                await posmodel.addLineToOrder(
                    { product_id: coffee, product_tmpl_id: coffee.product_tmpl_id },
                    order,
                    { force: true },
                    false
                );
            }, "sell a coffee on the refund order"),
            scan_barcode("2700000000014"),
            Lp.memberIs("Maria Ivanova", "150"),
            Lp.openSpend(),
            Lp.spendMaxIs("50"),
            Lp.spend("50"),
            Lp.orderPointsAre("50"),
            // -100 + 25 kept back, +100 - 50 in points: 25 go back to the customer.
            ProductScreen.totalAmountIs("25.00"),
            payCash(),
            Lp.receiptContains(".lp-receipt-spent", "50"),
        ].flat(),
});

// The reservation was released (and the points taken) before the order arrived.
registry.category("web_tour.tours").add("lp_pos_released_reservation", {
    steps: () =>
        [
            openTill("LP Tea", "LP Coffee"),
            scan_barcode("2700000000014"),
            Lp.memberIs("Maria Ivanova", "200"),
            Lp.openSpend(),
            Lp.spend("60"),
            Lp.orderPointsAre("60"),
            run(async () => {
                const order = posmodel.getOrder();
                await posmodel.data.call("pos.order", "lp_pos_release", [
                    [order.uuid],
                    posmodel.config.id,
                ]);
                await posmodel.data.call("pos.order", "lp_pos_reserve", [
                    order.lpMember.member_id,
                    180,
                    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    [{ product_id: order.lines[0].product_id.id, amount: 1000 }],
                ]);
            }, "the reservation is released, another till holds 180 of the 200 points"),
            ProductScreen.totalAmountIs("140.00"),
            payCash(),
            // The order is saved; the 20 points still free are spent.
            Lp.receiptContains(".lp-receipt-spent", "20"),
        ].flat(),
});

// The loyalty manager sees the order whose points need attention and settles it.
registry.category("web_tour.tours").add("lp_pos_exception_manager", {
    steps: () => [
        {
            content: "the till order is listed with its reason and the points missing",
            trigger: ".o_list_view .o_data_row:has(td[name=points_missing]:contains('40'))",
        },
        {
            content: "open it",
            trigger: ".o_list_view .o_data_row td[name=reason]:contains('Reservation released')",
            run: "click",
        },
        {
            content: "the form shows the points wanted",
            trigger: ".o_form_view .o_field_widget[name=points_wanted]:contains('60')",
            timeout: 30000,
        },
        {
            content: "accept the loss",
            trigger: ".o_form_view button[name=action_accept_loss]",
            run: "click",
        },
        {
            content: "settled",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Settled')",
        },
    ],
});
