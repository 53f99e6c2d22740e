import { patch } from "@web/core/utils/patch";
import { PosOrder } from "@point_of_sale/app/models/pos_order";

/**
 * The loyalty state of an open order lives in its uiState (kept in the
 * browser's storage with the order): the member's figures as the server
 * last sent them, the line discounts the tier set. The server stays the
 * authority on balances, caps and postings.
 */
patch(PosOrder.prototype, {
    get lpMember() {
        return this.uiState.lp?.member || null;
    },
    set lpMember(info) {
        this.uiState.lp = info ? { ...(this.uiState.lp || {}), member: info } : null;
        // The server posts the paid order to the member the till shows.
        const memberId = info?.member_id || 0;
        if (this.lp_till_member_id !== memberId) {
            this.lp_till_member_id = memberId;
        }
    },
    get lpPointsProductId() {
        return this.config._lp_points_product_id;
    },
    isLpPointsLine(line) {
        return Boolean(this.lpPointsProductId) && line.product_id?.id === this.lpPointsProductId;
    },
    /** Points lines paying for this order (a refund's share lines are not). */
    get lpPointsLines() {
        return this.lines.filter((line) => this.isLpPointsLine(line) && line.qty > 0);
    },
    /** Goods this order sells (not points lines, not goods it returns). */
    get lpGoodsLines() {
        return this.lines.filter(
            (line) => !this.isLpPointsLine(line) && !line.refunded_orderline_id
        );
    },
    /** Points this order has reserved, as the server last confirmed. */
    get lpOrderPoints() {
        return this.lpMember?.order_points || 0;
    },
    /** Changes when the goods change (what, how many, at what price). */
    lpGoodsKey() {
        return JSON.stringify(
            this.lpGoodsLines.map((line) => [line.uuid, line.qty, line.priceIncl])
        );
    },
    /** The goods lines as the server computes caps from them. */
    lpLinesForServer() {
        // priceIncl is shown with the order's sign (negated on a refund
        // order): the server wants what each line really charges.
        return this.lpGoodsLines.map((line) => ({
            product_id: line.product_id.id,
            amount: line.priceIncl * this.orderSign,
        }));
    },
});
