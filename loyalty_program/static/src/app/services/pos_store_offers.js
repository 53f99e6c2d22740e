import { patch } from "@web/core/utils/patch";
import { PosStore } from "@point_of_sale/app/services/pos_store";
import { debounce } from "@web/core/utils/timing";
import { LpError } from "@loyalty_program/app/services/pos_store";

/**
 * The member's offers at the till. Points offers need nothing here: the
 * server applies them to the paid order. Money discounts are proposed by
 * the server for the goods on the order (``lp_pos_offer_discounts``) and
 * laid as discount lines on the matching goods, per tax group; the server
 * checks them again when the order is paid.
 */
patch(PosStore.prototype, {
    async setup() {
        await super.setup(...arguments);
        this.lpOffersLater = debounce((order) => this.lpRefreshOffers(order), 300);
        this.models["pos.order.line"].addEventListener("delete", () => {
            // The order of a deleted line is not known any more: look at them all.
            for (const order of this.models["pos.order"].filter(
                (o) => o.state === "draft" && (o.lpOfferLines.length || this.lpHasDiscountOffers(o))
            )) {
                this.lpOrderChanged(order);
            }
        });
    },

    get lpOfferProduct() {
        return this.models["product.product"].get(this.config._lp_offer_product_id);
    },

    lpHasDiscountOffers(order) {
        return (order.lpMember?.offers || []).some((offer) => offer.reward_type === "discount");
    },

    async lpSetMember(order, info) {
        const kept = await super.lpSetMember(...arguments);
        await this.lpRefreshOffers(order, { force: true });
        return kept;
    },

    async lpFindMemberOf(order, partner) {
        await super.lpFindMemberOf(...arguments);
        if (order.lpMember) {
            await this.lpRefreshOffers(order, { force: true });
        }
    },

    async lpForgetMember(order) {
        for (const line of order.lpOfferLines) {
            line.delete();
        }
        return await super.lpForgetMember(...arguments);
    },

    lpOrderChanged(order) {
        super.lpOrderChanged(...arguments);
        // Prices are read later: while a line is being created they are not
        // computed yet.
        if (
            order.state === "draft" &&
            (this.lpHasDiscountOffers(order) || order.lpOfferLines.length)
        ) {
            this.lpOffersLater(order);
        }
    },

    /**
     * Ask the server which discounts the member's offers give on the goods
     * and lay them (when the goods changed since the last time, or ``force``).
     */
    async lpRefreshOffers(order, { force = false } = {}) {
        if (order.state !== "draft" || !order.uiState.lp) {
            return;
        }
        const key = order.lpOfferGoodsKey();
        if (!force && order.uiState.lp.offerKey === key) {
            return;
        }
        order.uiState.lp.offerKey = key;
        const goods = order.lpOfferGoodsLines;
        let proposals = [];
        if (this.lpHasDiscountOffers(order) && goods.length) {
            try {
                proposals = await this.lpCall("lp_pos_offer_discounts", [
                    order.lpMember.member_id,
                    order.uuid,
                    goods.map((line) => ({
                        product_id: line.product_id.id,
                        amount: line.priceIncl * order.orderSign,
                        qty: line.qty,
                    })),
                ]);
            } catch (error) {
                if (!(error instanceof LpError)) {
                    throw error;
                }
                proposals = []; // offline: no money discount, points come later
            }
        }
        if (order.uiState.lp?.offerKey !== key) {
            return; // the goods changed meanwhile: a newer refresh follows
        }
        const wanted = JSON.stringify(proposals.map((p) => [p.id, p.amount]));
        if (order.uiState.lp.offerLines === wanted) {
            return;
        }
        for (const line of order.lpOfferLines) {
            line.delete();
        }
        for (const proposal of proposals) {
            await this.lpAddOfferLines(
                order,
                proposal.lines.map((index) => goods[index]).filter(Boolean),
                proposal
            );
        }
        order.uiState.lp.offerLines = wanted;
    },

    /** Discount lines worth ``proposal.amount`` on ``lines``, one per tax group. */
    async lpAddOfferLines(order, lines, proposal) {
        const product = this.lpOfferProduct;
        if (!product || !lines.length || proposal.amount <= 0) {
            return;
        }
        await this.lpAddDiscountLines(
            order,
            lines,
            product,
            proposal.amount,
            `lp_offer_${proposal.id}`,
            { lp_offer_ref: proposal.id }
        );
        const lastGoods = order.lpOfferGoodsLines.at(-1);
        if (lastGoods) {
            order.selectOrderline(lastGoods);
        }
    },
});
