import * as Chrome from "@point_of_sale/../tests/pos/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/generic_helpers/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/pos/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/pos/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/pos/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/pos/tours/utils/ticket_screen_util";
import * as Offline from "@point_of_sale/../tests/generic_helpers/offline_util";
import { run, scan_barcode } from "@point_of_sale/../tests/generic_helpers/utils";
import * as Lp from "@loyalty_program/../tests/tours/utils/loyalty_util";
import { registry } from "@web/core/registry";

/* global posmodel */

/** Open the register and ring up ``products`` (names). */
export function openTill(...products) {
    return [
        Chrome.startPoS(),
        Dialog.confirm("Open Register"),
        ...products.map((name) => ProductScreen.clickDisplayedProduct(name)),
    ].flat();
}

export function payCash() {
    return [ProductScreen.clickPayButton(), validateBank()].flat();
}

/** On the payment screen: pay by bank, wait for the receipt. */
export function validateBank() {
    return [
        PaymentScreen.clickPaymentMethod("Bank"),
        PaymentScreen.clickValidate(),
        // The paid order syncs before the receipt shows: slow on a loaded machine.
        { content: "the order reached the server", trigger: ".pos .receipt-screen", timeout: 40000 },
        ReceiptScreen.isShown(),
    ].flat();
}

// Scan a card, spend part of the points (over the cap refused), pay, read the receipt.
registry.category("web_tour.tours").add("lp_pos_scan_spend_receipt", {
    steps: () =>
        [
            openTill("LP Tea", "LP Coffee"),
            scan_barcode("2700000000014"),
            Lp.memberIs("Maria Ivanova", "200"),
            ProductScreen.customerIsSelected("Maria Ivanova"),
            Lp.panelContains(".lp-member-tier", "Silver"),
            Lp.panelContains(".lp-member-card", "0014"),
            Lp.openSpend(),
            // 50% of the 200 order: at most 100 of the 200 points.
            Lp.spendMaxIs("100"),
            Lp.spend("150"),
            Lp.spendErrorContains("At most 100"),
            Lp.spend("60"),
            Lp.orderPointsAre("60"),
            Lp.panelContains(".lp-member-balance", "140"),
            ProductScreen.totalAmountIs("140.00"),
            // The discount lines follow the reservation: the numpad cannot edit them.
            ProductScreen.clickLine("Bonus points discount"),
            ProductScreen.clickNumpad("5"),
            Dialog.confirm(),
            ProductScreen.totalAmountIs("140.00"),
            payCash(),
            Lp.receiptContains(".lp-receipt-member", "Maria Ivanova"),
            Lp.receiptContains(".lp-receipt-card", "0014"),
            Lp.receiptContains(".lp-receipt-spent", "60"),
            Lp.receiptContains(".lp-receipt-earned", "14"),
            Lp.receiptContains(".lp-receipt-balance", "140"),
            Lp.receiptContains(".lp-receipt-pending", "14"),
            ReceiptScreen.clickNextOrder(),
            // A blocked card: a clear message, and the sale goes on.
            scan_barcode("2700000000021"),
            Lp.notificationContains("is blocked"),
            Lp.noMember(),
            ProductScreen.clickDisplayedProduct("LP Tea"),
            ProductScreen.totalAmountIs("100.00"),
            payCash(),
        ].flat(),
});

// Phone in a local format; another till spends the points meanwhile; offline spend refused.
registry.category("web_tour.tours").add("lp_pos_phone_other_till_offline", {
    steps: () =>
        [
            openTill("LP Tea", "LP Tea"),
            Lp.identify("8 (912) 555-00-22"),
            Lp.memberIs("Pyotr Sidorov", "100"),
            Lp.openSpend(),
            Lp.spendMaxIs("100"),
            // Meanwhile another till reserves 80 of his 100 points.
            run(async () => {
                const order = posmodel.getOrder();
                await posmodel.data.call("pos.order", "lp_pos_reserve", [
                    order.lpMember.member_id,
                    80,
                    "0f8fad5b-d9cb-469f-a165-70867728950e",
                    order.lpLinesForServer(),
                ]);
            }, "another till reserves 80 points"),
            Lp.spend("50"),
            Lp.spendErrorContains("points free to spend"),
            Lp.spend("20"),
            Lp.orderPointsAre("20"),
            ProductScreen.totalAmountIs("180.00"),
            // The server cannot be reached: spending is refused (the dialog
            // opens without a request; reserving the points fails), selling
            // goes on with the points already reserved.
            Offline.setOfflineMode(),
            Lp.openSpend(),
            Lp.spend("30"),
            Lp.spendErrorContains("cannot be spent now"),
            Lp.closeDialog(),
            Offline.setOnlineMode(),
            Lp.orderPointsAre("20"),
            payCash(),
            Lp.receiptContains(".lp-receipt-spent", "20"),
        ].flat(),
});

// Enrol at the till and spend the welcome bonus on the very order.
registry.category("web_tour.tours").add("lp_pos_enrol_welcome", {
    steps: () =>
        [
            openTill("LP Tea", "LP Coffee", "LP Tea"),
            Lp.enrol({
                card: "2700000000038",
                phone: "+7 912 777-66-55",
                name: "Olga Novikova",
                birthday: "1988-03-08",
                "consent-sms": true,
            }),
            Lp.notificationContains("welcome points"),
            Lp.memberIs("Olga Novikova", "100"),
            ProductScreen.customerIsSelected("Olga Novikova"),
            Lp.openSpend(),
            Lp.spendMaximum(),
            Lp.orderPointsAre("100"),
            ProductScreen.totalAmountIs("200.00"),
            payCash(),
            Lp.receiptContains(".lp-receipt-spent", "100"),
            Lp.receiptContains(".lp-receipt-card", "0038"),
        ].flat(),
});

// Refund one of two lines of a member's order.
registry.category("web_tour.tours").add("lp_pos_refund", {
    steps: () =>
        [
            openTill("LP Tea", "LP Coffee"),
            scan_barcode("2700000000014"),
            Lp.memberIs("Maria Ivanova"),
            Lp.openSpend(),
            Lp.spend("50"),
            Lp.orderPointsAre("50"),
            payCash(),
            Lp.receiptContains(".lp-receipt-earned", "15"),
            ReceiptScreen.clickNextOrder(),
            ...ProductScreen.clickRefund(),
            TicketScreen.selectOrder("001"),
            ProductScreen.clickNumpad("1"),
            TicketScreen.toRefundTextContains("To Refund: 1"),
            TicketScreen.confirmRefund(),
            PaymentScreen.isShown(),
            // The tea's 25 of points stay back: 75 in money, 25 as points.
            PaymentScreen.totalIs("75.00"),
            validateBank(),
            Lp.receiptContains(".lp-receipt-reversed", "17.5"),
        ].flat(),
});

// A discount program: the tier discount lands on the lines by itself.
registry.category("web_tour.tours").add("lp_pos_discount_program", {
    steps: () =>
        [
            openTill("LP Tea"),
            scan_barcode("2700000000014"),
            Lp.memberIs("Maria Ivanova"),
            Lp.panelContains(".lp-member-discount", "10"),
            ProductScreen.clickDisplayedProduct("LP Coffee"),
            ProductScreen.clickDisplayedProduct("LP Cigarettes"),
            ProductScreen.totalAmountIs("230.00"),
            payCash(),
        ].flat(),
});

/** Count the loyalty calls the till makes from now on (window.lpCalls). */
function spyLoyaltyCalls() {
    return run(() => {
        window.lpCalls = [];
        const call = posmodel.lpCall.bind(posmodel);
        posmodel.lpCall = (method, ...args) => {
            window.lpCalls.push(method);
            return call(method, ...args);
        };
    }, "count the till's loyalty calls");
}

function loyaltyCallsAre(...methods) {
    return run(() => {
        const calls = JSON.stringify(window.lpCalls);
        if (calls !== JSON.stringify(methods)) {
            throw new Error(`loyalty calls ${calls}, expected ${JSON.stringify(methods)}`);
        }
    }, `loyalty calls: ${methods.join(", ") || "none"}`);
}

// Customers picked from the list: one who is no member costs no request,
// a member is looked up once and earns.
registry.category("web_tour.tours").add("lp_pos_customer_from_list", {
    steps: () =>
        [
            openTill("LP Tea"),
            spyLoyaltyCalls(),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Walk-in Stranger"),
            ProductScreen.customerIsSelected("Walk-in Stranger"),
            Lp.noMember(),
            loyaltyCallsAre(),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Pyotr Sidorov"),
            Lp.memberIs("Pyotr Sidorov", "100"),
            loyaltyCallsAre("lp_pos_member_for_partner"),
            payCash(),
            Lp.receiptContains(".lp-receipt-earned", "10"),
        ].flat(),
});

