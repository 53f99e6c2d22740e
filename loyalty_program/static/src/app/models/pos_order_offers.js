import { patch } from "@web/core/utils/patch";
import { PosOrder } from "@point_of_sale/app/models/pos_order";

/**
 * Offers on an open order: the money discount lines the till laid for the
 * member's offers (the offer discount product, ``lp_offer_ref`` the offer
 * made to the customer) and, once the server posted the paid order, what
 * its offers gave (``lp_offer_summary``). The server decides what an offer
 * is worth; the till only proposes.
 */
patch(PosOrder.prototype, {
    get lpOfferProductId() {
        return this.config._lp_offer_product_id;
    },
    isLpOfferLine(line) {
        return Boolean(this.lpOfferProductId) && line.product_id?.id === this.lpOfferProductId;
    },
    /** Offer discount lines of this order (not those a refund returns). */
    get lpOfferLines() {
        return this.lines.filter((line) => this.isLpOfferLine(line) && !line.refunded_orderline_id);
    },
    /** The goods offers look at: no points lines, no offer discount lines. */
    get lpOfferGoodsLines() {
        return this.lpGoodsLines.filter((line) => !this.isLpOfferLine(line));
    },
    /** Changes when the goods offers look at change. */
    lpOfferGoodsKey() {
        return JSON.stringify(
            this.lpOfferGoodsLines.map((line) => [line.uuid, line.qty, line.priceIncl])
        );
    },
    /** What the posted order's offers gave: [{label, points, discount}]. */
    get lpOfferSummary() {
        try {
            return JSON.parse(this.lp_offer_summary || "[]");
        } catch {
            return [];
        }
    },
});
