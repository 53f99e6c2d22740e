import { patch } from "@web/core/utils/patch";
import { PosStore } from "@point_of_sale/app/services/pos_store";
import { accountTaxHelpers } from "@account/helpers/account_tax";
import { ConnectionLostError, RPCError } from "@web/core/network/rpc";
import { debounce } from "@web/core/utils/timing";
import { _t } from "@web/core/l10n/translation";
import { roundPrecision } from "@web/core/utils/numbers";

/** An error whose message is meant for the cashier. */
export class LpError extends Error {}

/**
 * Run ``action`` for a dialog whose ``state`` has ``busy`` and ``error``:
 * a refusal the cashier can read lands in ``state.error``. True on success.
 */
export async function lpRunInDialog(state, action) {
    state.busy = true;
    state.error = "";
    try {
        await action();
        return true;
    } catch (error) {
        if (!(error instanceof LpError)) {
            throw error;
        }
        state.error = error.message;
        return false;
    } finally {
        state.busy = false;
    }
}

/**
 * Loyalty at the till. Members are never loaded in bulk: they are looked up
 * on the server by card or phone. Spending reserves the points on the server
 * at once (so another till cannot spend them meanwhile) and adds discount
 * lines per tax group; the server posts the spend and the earn when the paid
 * order arrives.
 */
patch(PosStore.prototype, {
    async setup() {
        await super.setup(...arguments);
        this.lpRefreshLater = debounce((order) => this.lpRefreshPoints(order), 300);
        this.models["pos.order.line"].addEventListener("update", ({ id }) => {
            const line = this.models["pos.order.line"].get(id);
            const order = line?.order_id;
            if (order && !order.isLpPointsLine(line)) {
                this.lpOrderChanged(order);
            }
        });
        this.models["pos.order.line"].addEventListener("create", ({ ids }) => {
            for (const id of ids || []) {
                const line = this.models["pos.order.line"].get(id);
                if (line?.order_id && !line.order_id.isLpPointsLine(line)) {
                    this.lpOrderChanged(line.order_id);
                }
            }
        });
        this.models["pos.order.line"].addEventListener("delete", ({ id }) => {
            // The order of a deleted line is not known any more: look at them all.
            for (const order of this.models["pos.order"].filter((o) => o.lpOrderPoints)) {
                this.lpOrderChanged(order);
            }
        });
    },

    get lpProgram() {
        return this.models["lp.program"]?.getAll().sort((a, b) => a.sequence - b.sequence)[0];
    },

    get lpPointsProduct() {
        return this.models["product.product"].get(this.config._lp_points_product_id);
    },

    /** Call the server; turn its refusals and an unreachable server into LpError. */
    async lpCall(method, args, offlineMessage) {
        try {
            return await this.data.call("pos.order", method, args);
        } catch (error) {
            if (error instanceof ConnectionLostError) {
                throw new LpError(
                    offlineMessage ||
                        _t(
                            "The server cannot be reached. Loyalty members cannot be looked up until it is back; the sale can go on."
                        )
                );
            }
            if (error instanceof RPCError && error.data?.message) {
                throw new LpError(error.data.message);
            }
            throw error;
        }
    },

    /**
     * Identify the customer of ``order`` by a card number or a phone: one
     * request, whose answer carries the customer as the till loads them.
     */
    async lpIdentify(code, order = this.getOrder()) {
        const info = await this.lpCall("lp_pos_lookup", [code, order.uuid, this.config.id]);
        return await this.lpSetMember(order, info);
    },

    /** Enrol a new member (see LpEnrolDialog) and make them the order's customer. */
    async lpEnrol(values, order = this.getOrder()) {
        const info = await this.lpSetMember(
            order,
            await this.lpCall("lp_pos_enrol", [values, this.config.id])
        );
        const message = info.balance
            ? _t("%(name)s is a member now, card %(card)s: %(points)s welcome points to spend.", {
                  name: info.name,
                  card: info.new_card_number,
                  points: info.balance,
              })
            : _t("%(name)s is a member now, card %(card)s.", {
                  name: info.name,
                  card: info.new_card_number,
              });
        this.notification.add(message, { type: "success" });
        return info;
    },

    /**
     * The member's customer: from the POS data the server sent with the
     * member (``posPartner``: ``{"res.partner": [values]}``), read
     * only when it did not.
     */
    async lpLoadPartner(partnerId, posPartner = null) {
        if (posPartner) {
            const data = await this.data.missingRecursive(posPartner);
            this.data.synchronizeServerDataInIndexedDB(data);
            this.models.connectNewData(data);
        }
        let partner = this.models["res.partner"].get(partnerId);
        if (!partner) {
            const partners = await this.data.read("res.partner", [partnerId]);
            partner = partners[0];
        }
        return partner;
    },

    /**
     * Make ``info`` (a member's figures, as the server sent them) the member
     * of ``order``; returns the figures kept on the order.
     */
    async lpSetMember(order, { pos_partner, ...info }) {
        const previous = order.lpMember;
        if (previous && previous.member_id !== info.member_id) {
            // Another member: the previous one's points and tier discounts go.
            await this.lpForgetMember(order);
        }
        const partner = await this.lpLoadPartner(info.partner_id, pos_partner);
        order.lpMember = info;
        if (partner && order.getPartner()?.id !== partner.id) {
            super.setPartnerToCurrentOrder(partner);
        }
        this.lpApplyTierDiscount(order);
        return info;
    },

    setPartnerToCurrentOrder(partner) {
        super.setPartnerToCurrentOrder(partner);
        const order = this.getOrder();
        if (!partner) {
            this.lpForgetMember(order);
        } else if (order.lpMember?.partner_id !== partner.id) {
            this.lpForgetMember(order);
            // The till knows its customers who are no members: no request.
            if (partner.lp_pos_member !== false) {
                this.lpFindMemberOf(order, partner);
            }
        }
    },

    /** The membership of a customer chosen from the list, if any. */
    async lpFindMemberOf(order, partner) {
        let info;
        try {
            info = await this.lpCall("lp_pos_member_for_partner", [partner.id, order.uuid]);
        } catch (error) {
            if (!(error instanceof LpError)) {
                throw error;
            }
            return; // Offline: the server still credits the earn on the paid order.
        }
        if (info && order.getPartner()?.id === partner.id) {
            order.lpMember = info;
            this.lpApplyTierDiscount(order);
        }
    },

    /** Drop the member of ``order``: release its points, undo tier discounts. */
    async lpForgetMember(order) {
        if (!order.lpMember) {
            return;
        }
        const discounted = order.uiState.lp?.discounted || {};
        for (const line of order.lines) {
            if (discounted[line.uuid] !== undefined && line.discount === discounted[line.uuid]) {
                line.setDiscount(0);
            }
        }
        await this.lpRemovePoints(order);
        order.lpMember = null;
    },

    /** Discount programs: the member's tier discount on every line that may have it. */
    lpApplyTierDiscount(order) {
        const member = order.lpMember;
        if (!member || member.program_type !== "discount" || !member.discount_percent) {
            return;
        }
        const discounted = { ...(order.uiState.lp.discounted || {}) };
        for (const line of order.lpGoodsLines) {
            if (discounted[line.uuid] === undefined && !line.discount && this.lpMaySpendOn(line)) {
                line.setDiscount(member.discount_percent);
                discounted[line.uuid] = member.discount_percent;
            }
        }
        order.uiState.lp.discounted = discounted;
    },

    /** False for products the program excludes from spending (and tier discounts). */
    lpMaySpendOn(line, program = undefined) {
        program ??= this.models["lp.program"]?.get(line.order_id.lpMember?.program_id);
        if (!program) {
            return true;
        }
        const product = line.product_id;
        if ((program.raw.spend_excluded_product_ids || []).includes(product.id)) {
            return false;
        }
        const categId = product.product_tmpl_id?.raw?.categ_id;
        return !(program.raw.pos_excluded_categ_ids || []).includes(categId);
    },

    async addLineToOrder(vals, order, opts = {}, configure = true) {
        const line = await super.addLineToOrder(...arguments);
        if (line && order?.lpMember) {
            this.lpApplyTierDiscount(order);
        }
        return line;
    },

    /**
     * What the spend dialog shows, without a request: the member's figures
     * and ``max_points``, the most points the order may take (the program's
     * cap on the goods points may pay for, and what the member has free).
     * The server checks it again when the points are reserved.
     */
    lpSpendLimit(order = this.getOrder()) {
        const member = order.lpMember;
        const program = this.models["lp.program"]?.get(member.program_id);
        let maxPoints = 0;
        if (program && member.program_type === "bonus") {
            let total = 0;
            let spendable = 0;
            for (const line of order.lpGoodsLines) {
                const amount = line.priceIncl * order.orderSign;
                total += amount;
                if (this.lpMaySpendOn(line, program)) {
                    spendable += amount;
                }
            }
            const capMoney = Math.max(
                Math.min((total * program.spend_cap_percent) / 100, spendable),
                0
            );
            const cap = roundPrecision(capMoney / member.point_value, 0.01, "DOWN");
            const free = member.balance - member.reserved + member.order_points;
            maxPoints = Math.max(0, Math.min(cap, free, member.balance));
        }
        return { ...member, max_points: maxPoints };
    },

    lpOfflineSpendMessage() {
        return _t(
            "The server cannot be reached, so points cannot be spent now (they could be spent at another till meanwhile). The sale can go on and the purchase still earns points."
        );
    },

    /** Reserve ``points`` on the server and put their value on the order. */
    async lpSpend(points, order = this.getOrder(), { clamp = false } = {}) {
        const info = await this.lpCall(
            "lp_pos_reserve",
            [
                order.lpMember.member_id,
                points,
                order.uuid,
                order.lpLinesForServer(),
                clamp,
                this.config.id,
            ],
            this.lpOfflineSpendMessage()
        );
        // The server answers what the reservation changed; the rest stays.
        order.lpMember = { ...order.lpMember, ...info };
        const member = order.lpMember;
        await this.lpSetPointsLines(order, member.order_points * member.point_value);
        return member;
    },

    /** Release the points of ``order`` and remove their discount lines. */
    async lpRemovePoints(order) {
        if (order.lpOrderPoints) {
            try {
                const figures = await this.lpCall("lp_pos_reserve", [
                    order.lpMember.member_id,
                    0,
                    order.uuid,
                    [],
                    false,
                    this.config.id,
                ]);
                order.lpMember = { ...order.lpMember, ...figures };
            } catch (error) {
                if (!(error instanceof LpError)) {
                    throw error;
                }
                // The server releases stale reservations itself.
                order.lpMember = { ...order.lpMember, order_points: 0 };
            }
        }
        for (const line of order.lpPointsLines) {
            line.delete();
        }
    },

    /**
     * Discount lines worth ``amount`` (tax included), one per tax group of
     * the lines points may pay for, so that taxes stay right.
     */
    async lpSetPointsLines(order, amount) {
        const product = this.lpPointsProduct;
        for (const line of order.lpPointsLines) {
            line.delete();
        }
        // What the points were spread over; a change of it spreads them again.
        order.uiState.lp.goodsKey = order.lpGoodsKey();
        if (!product || amount <= 0) {
            return;
        }
        const lines = order.lpGoodsLines.filter((line) => this.lpMaySpendOn(line));
        await this.lpAddDiscountLines(order, lines, product, amount, "lp_points");
        // Keep the numpad on the goods, not on the discount lines.
        const lastGoods = order.lpGoodsLines.at(-1);
        if (lastGoods) {
            order.selectOrderline(lastGoods);
        }
    },

    /**
     * Lines of ``product`` worth ``amount`` (tax included) off ``lines``,
     * one per tax group (core's global discount), each with ``values``.
     */
    async lpAddDiscountLines(order, lines, product, amount, key, values = {}) {
        const baseLines = lines.map((line) =>
            accountTaxHelpers.prepare_base_line_for_taxes_computation(
                line,
                line.prepareBaseLineForTaxesComputationExtraValues()
            )
        );
        accountTaxHelpers.add_tax_details_in_base_lines(baseLines, order.company_id);
        accountTaxHelpers.round_base_lines_tax_details(baseLines, order.company_id);
        const discountBaseLines = accountTaxHelpers.prepare_global_discount_lines(
            baseLines,
            order.company_id,
            "fixed",
            amount,
            {
                computation_key: key,
                grouping_function: () => ({
                    grouping_key: { product_id: product },
                    raw_grouping_key: { product_id: product.id },
                }),
            }
        );
        for (const baseLine of discountBaseLines) {
            await this.addLineToOrder(
                {
                    product_id: product,
                    product_tmpl_id: product.product_tmpl_id,
                    price_unit: baseLine.price_unit,
                    qty: baseLine.quantity,
                    tax_ids: [["link", ...baseLine.tax_ids]],
                    extra_tax_data: accountTaxHelpers.export_base_line_extra_tax_data(baseLine),
                    ...values,
                },
                order,
                { force: true },
                false
            );
        }
    },

    lpOrderChanged(order) {
        if (
            order.state === "draft" &&
            order.lpOrderPoints &&
            (order.uiState.lp?.goodsKey !== order.lpGoodsKey() || !order.lpPointsLines.length)
        ) {
            this.lpRefreshLater(order);
        }
    },

    /**
     * The goods changed after points were applied: keep the points within
     * the new cap (the server shrinks the reservation if needed) and spread
     * them again; an emptied order gives its points back.
     */
    async lpRefreshPoints(order) {
        if (order.state !== "draft" || !order.lpOrderPoints) {
            return;
        }
        try {
            if (!order.lpGoodsLines.length || !order.lpPointsLines.length) {
                // Emptied, or the cashier deleted the points lines: give them back.
                await this.lpRemovePoints(order);
                return;
            }
            if (order.uiState.lp?.goodsKey === order.lpGoodsKey()) {
                return;
            }
            const before = order.lpOrderPoints;
            const info = await this.lpSpend(before, order, { clamp: true });
            if (info.order_points < before) {
                this.notification.add(
                    _t("The order changed: %(points)s points now pay for it (the most allowed).", {
                        points: info.order_points,
                    }),
                    { type: "warning" }
                );
            }
        } catch (error) {
            if (!(error instanceof LpError)) {
                throw error;
            }
            this.notification.add(error.message, { type: "danger" });
        }
    },

    /** True when ``code`` has the prefix and length of a loaded program's cards. */
    lpLooksLikeCard(code) {
        return (
            /^\d+$/.test(code || "") &&
            (this.models["lp.program"]?.getAll() || []).some(
                (program) =>
                    program.card_prefix &&
                    code.length === program.card_length &&
                    code.startsWith(program.card_prefix)
            )
        );
    },

    async _onBeforeDeleteOrder(order) {
        const result = await super._onBeforeDeleteOrder(...arguments);
        if (result && order.lpOrderPoints) {
            await this.data.silentCall("pos.order", "lp_pos_release", [
                [order.uuid],
                this.config.id,
            ]);
        }
        return result;
    },
});
