import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat } from "@web/core/utils/numbers";
import { useService } from "@web/core/utils/hooks";
import { LoyaltyMonthlyCharts } from "./monthly_charts";

/** ISO day (YYYY-MM-DD) of a local date. */
function isoDay(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What a preset period is compared with (lp.figures._periods): the same
 * part of the calendar period before; otherwise the days just before. */
export const PRESET_COMPARE = {
    month: "month",
    last_month: "month",
    quarter: "quarter",
    year: "year",
};

/** The periods the dashboard offers in one click: [from, to] of today. */
export function presetPeriod(preset, today = new Date()) {
    const y = today.getFullYear();
    const m = today.getMonth();
    switch (preset) {
        case "month":
            return [isoDay(new Date(y, m, 1)), isoDay(today)];
        case "last_month":
            return [isoDay(new Date(y, m - 1, 1)), isoDay(new Date(y, m, 0))];
        case "quarter":
            return [isoDay(new Date(y, m - (m % 3), 1)), isoDay(today)];
        case "year":
            return [isoDay(new Date(y, 0, 1)), isoDay(today)];
        default: {
            const from = new Date(today);
            from.setDate(from.getDate() - 29);
            return [isoDay(from), isoDay(today)];
        }
    }
}

/**
 * The Loyalty dashboard: every figure of ``lp.figures`` for the current
 * company and a period, next to the period before, with the change in %,
 * the tier distribution, and links to the graph and pivot views.
 */
export class LoyaltyFiguresDashboard extends Component {
    static template = "loyalty_program.FiguresDashboard";
    static components = { LoyaltyMonthlyCharts };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        const [from, to] = presetPeriod("30days");
        this.state = useState({
            from,
            to,
            compare: null,
            data: null,
            monthly: null,
            error: null,
            loading: false,
        });
        this.presets = [
            ["30days", _t("Last 30 days")],
            ["month", _t("This month")],
            ["last_month", _t("Last month")],
            ["quarter", _t("This quarter")],
            ["year", _t("This year")],
        ];
        this.links = [
            ["loyalty_program.action_lp_figures_ledger", _t("Points by month")],
            ["loyalty_program.action_lp_figures_members", _t("Members by tier")],
            ["loyalty_program.action_lp_figures_tier_moves", _t("Tier movements")],
            ["loyalty_program.action_lp_customer_stats", _t("Customer statistics")],
        ];
        onWillStart(() => this.load());
    }

    async load() {
        this.state.loading = true;
        try {
            const [data, monthly] = await Promise.all([
                this.orm.call("lp.figures", "get_dashboard", [this.state.from, this.state.to], {
                    compare: this.state.compare,
                }),
                this.orm.call("lp.figures", "get_monthly", [this.state.to]),
            ]);
            Object.assign(this.state, { data, monthly });
            this.state.error = null;
        } catch (error) {
            this.state.error = error.data?.message || error.message || String(error);
        } finally {
            this.state.loading = false;
        }
    }

    setPreset(preset) {
        [this.state.from, this.state.to] = presetPeriod(preset);
        this.state.compare = PRESET_COMPARE[preset] || null;
        return this.load();
    }

    onDateChange(key, ev) {
        this.state[key] = ev.target.value;
        this.state.compare = null;
        if (this.state.from && this.state.to) {
            return this.load();
        }
    }

    format(value, unit) {
        if (value === null || value === undefined) {
            return "—";
        }
        const currency = this.state.data.currency;
        switch (unit) {
            case "percent":
                return `${formatFloat(value, { digits: [16, 1] })} %`;
            case "money": {
                const amount = formatFloat(value, { digits: [16, currency.digits] });
                return currency.position === "before"
                    ? `${currency.symbol} ${amount}`
                    : `${amount} ${currency.symbol}`;
            }
            case "ratio":
                return formatFloat(value, { digits: [16, 2] });
            case "points":
                return formatFloat(value, { digits: [16, 0] });
            default:
                return formatFloat(value, { digits: [16, 0] });
        }
    }

    deltaClass(figure) {
        if (figure.delta === null || figure.delta === 0) {
            return "text-muted";
        }
        const good = figure.better === "up" ? figure.delta > 0 : figure.delta < 0;
        return good ? "text-success" : "text-danger";
    }

    formatDelta(delta) {
        if (delta === null) {
            return "";
        }
        const sign = delta > 0 ? "+" : "";
        return `${sign}${formatFloat(delta, { digits: [16, 1] })} %`;
    }

    get notComparable() {
        return _t("(the program started on %(date)s: nothing to compare with)", {
            date: this.state.data.program_start,
        });
    }

    /** A card opens the records behind its figure, for the period shown. */
    async openFigure(figure) {
        const action = await this.orm.call("lp.figures", "get_figure_action", [
            figure.name,
            this.state.data.period[0],
            this.state.data.period[1],
        ]);
        return this.action.doAction(action);
    }

    openLink(xmlid) {
        return this.action.doAction(xmlid);
    }
}

registry.category("actions").add("loyalty_program.figures_dashboard", LoyaltyFiguresDashboard);
