import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { _t } from "@web/core/l10n/translation";
import { lpRunInDialog } from "@loyalty_program/app/services/pos_store";

/**
 * How many points pay for this order: any number up to the most allowed
 * (balance, the program's cap, the order total, excluded products left out).
 */
export class LpSpendDialog extends Component {
    static template = "loyalty_program.LpSpendDialog";
    static components = { Dialog };
    static props = { close: Function, limit: Object };

    setup() {
        this.pos = usePos();
        const limit = this.props.limit;
        this.state = useState({
            points: String(limit.order_points || limit.max_points),
            error: "",
            busy: false,
        });
        // The most allowed, as the till computed it: the server may find
        // less free (another till) and then reserves what is left.
        this.maximum = limit.order_points ? null : this.state.points;
        this.inputRef = useRef("input");
        onMounted(() => {
            this.inputRef.el?.focus();
            this.inputRef.el?.select();
        });
    }

    get value() {
        const points = this.parsedPoints;
        return Number.isNaN(points) ? 0 : points * this.props.limit.point_value;
    }

    get parsedPoints() {
        const text = this.state.points.trim().replace(",", ".");
        return text === "" ? NaN : Number(text);
    }

    formatCurrency(amount) {
        return this.env.utils.formatCurrency(amount);
    }

    setMax() {
        this.state.points = String(this.props.limit.max_points);
        this.maximum = this.state.points;
    }

    async apply() {
        const points = this.parsedPoints;
        if (Number.isNaN(points) || points < 0) {
            this.state.error = _t("Enter a number of points (0 or more).");
            return;
        }
        const order = this.pos.getOrder();
        const clamp = this.state.points === this.maximum;
        const done = await lpRunInDialog(this.state, () =>
            points === 0
                ? this.pos.lpRemovePoints(order)
                : this.pos.lpSpend(points, order, { clamp })
        );
        if (done) {
            this.props.close();
        }
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            this.apply();
        }
    }
}
