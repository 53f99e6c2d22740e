import { patch } from "@web/core/utils/patch";
import { OrderSummary } from "@point_of_sale/app/screens/product_screen/order_summary/order_summary";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { LpMemberPanel } from "@loyalty_program/app/components/lp_member_panel/lp_member_panel";

patch(OrderSummary, {
    components: { ...OrderSummary.components, LpMemberPanel },
});

patch(OrderSummary.prototype, {
    /**
     * The points discount lines follow the points reserved on the server:
     * the numpad may delete them (the points are given back) but not edit them.
     */
    async updateSelectedOrderline({ buffer, key }) {
        const order = this.pos.getOrder();
        const line = order?.getSelectedOrderline();
        if (line && order.isLpOfferLine(line)) {
            this.numberBuffer.reset();
            if (key === "Backspace") {
                this._setValue("remove");
            } else {
                this.dialog.add(AlertDialog, {
                    title: _t("Offer discount"),
                    body: _t(
                        "This line is what the customer's offer takes off, checked by the server when the order is paid: delete it to sell without the offer."
                    ),
                });
            }
            return;
        }
        if (line && order.isLpPointsLine(line)) {
            this.numberBuffer.reset();
            if (key === "Backspace") {
                this._setValue("remove");
            } else {
                this.dialog.add(AlertDialog, {
                    title: _t("Bonus points discount"),
                    body: _t(
                        "This line follows the points spent: change them with Pay with points, or delete the line to give the points back."
                    ),
                });
            }
            return;
        }
        return super.updateSelectedOrderline(...arguments);
    },
});
