import { patch } from "@web/core/utils/patch";
import { PosStore } from "@point_of_sale/app/services/pos_store";
import { roundPrecision } from "@web/core/utils/numbers";

/** Refunds of orders paid partly with points (see ticket_screen.js). */
patch(PosStore.prototype, {
    /**
     * A refund of ``original`` (paid partly with points) keeps back, in money,
     * the share of the points discount its returned goods carried: one line
     * per points line of the original (one per tax group), worth that line
     * times the part of its tax group's goods returned. The server gives
     * that share back as points.
     */
    lpAddRefundShare(original, refund) {
        const product = this.lpPointsProduct;
        if (!product) {
            return;
        }
        for (const line of refund.lines.filter((l) => refund.isLpPointsLine(l))) {
            line.delete(); // points lines are never refunded by hand
        }
        const taxKey = (line) =>
            line.tax_ids
                .map((tax) => tax.id)
                .sort((a, b) => a - b)
                .join(",");
        const pointsLines = original.lines.filter(
            (line) =>
                original.isLpPointsLine(line) &&
                !line.refunded_orderline_id &&
                line.price_subtotal_incl < 0
        );
        const program = this.lpProgram;
        const goods = original.lines.filter(
            (line) =>
                !original.isLpPointsLine(line) &&
                !line.refunded_orderline_id &&
                line.price_subtotal_incl > 0 &&
                this.lpMaySpendOn(line, program)
        );
        for (const pointsLine of pointsLines) {
            const group = goods.filter((line) => taxKey(line) === taxKey(pointsLine));
            const total = group.reduce((sum, line) => sum + line.price_subtotal_incl, 0);
            let returned = 0;
            for (const line of refund.lines) {
                const refunded = line.refunded_orderline_id;
                if (refunded && group.includes(refunded) && refunded.qty) {
                    returned += (-line.qty / refunded.qty) * refunded.price_subtotal_incl;
                }
            }
            if (total <= 0 || returned <= 0) {
                continue;
            }
            const ratio = Math.min(1, returned / total);
            this.models["pos.order.line"].create({
                qty: -1,
                price_unit: roundPrecision(pointsLine.price_unit * ratio, 0.01),
                product_id: product,
                order_id: refund,
                tax_ids: pointsLine.tax_ids.map((tax) => ["link", tax]),
                price_type: "manual",
            });
        }
    },
});
