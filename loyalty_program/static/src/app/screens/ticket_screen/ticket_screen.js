import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { TicketScreen } from "@point_of_sale/app/screens/ticket_screen/ticket_screen";

/**
 * Refunds of an order paid partly with points: the refund keeps back the
 * returned goods' share of the points discount (given back as points by the
 * server), so the customer gets back in money what they paid in money.
 */
patch(TicketScreen.prototype, {
    async addAdditionalRefundInfo(order, destinationOrder) {
        await super.addAdditionalRefundInfo(...arguments);
        this.pos.lpAddRefundShare(order, destinationOrder);
    },

    _onUpdateSelectedOrderline() {
        const order = this.getSelectedOrder();
        const lineId = this.getSelectedOrderlineId();
        const line = order?.lines.find((l) => l.id == lineId);
        if (line && order.isLpPointsLine(line)) {
            return this.dialog.add(AlertDialog, {
                title: _t("Points discount"),
                body: _t(
                    "The points discount is refunded with the goods it paid for: select the goods to refund."
                ),
            });
        }
        return super._onUpdateSelectedOrderline(...arguments);
    },
});
