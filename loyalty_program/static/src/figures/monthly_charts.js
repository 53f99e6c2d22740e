import { Component } from "@odoo/owl";
import { cookie } from "@web/core/browser/cookie";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { formatFloat } from "@web/core/utils/numbers";
import { LpChart } from "../charts/lp_chart";

const { DateTime } = luxon;

function color(index) {
    return getColor(index, cookie.get("color_scheme"), "sm");
}

function bars(label, data, index, extra = {}) {
    return { type: "bar", label, data, backgroundColor: color(index), ...extra };
}

function line(label, data, index, extra = {}) {
    const c = color(index);
    return {
        type: "line",
        label,
        data,
        borderColor: c,
        backgroundColor: c,
        tension: 0.2,
        ...extra,
    };
}

/**
 * The year month by month under the dashboard's cards: members, revenue,
 * points and liability, tier sizes, campaigns and triggers against their
 * control groups. ``series`` is ``lp.figures.get_monthly``'s answer.
 */
export class LoyaltyMonthlyCharts extends Component {
    static template = "loyalty_program.MonthlyCharts";
    static components = { LpChart };
    static props = { series: Object };

    get labels() {
        return this.props.series.months.map((m) => DateTime.fromISO(m).toFormat("LLL yyyy"));
    }

    money(value) {
        const currency = this.props.series.currency;
        const amount = formatFloat(value, { digits: [16, 0] });
        return currency.position === "before"
            ? `${currency.symbol} ${amount}`
            : `${amount} ${currency.symbol}`;
    }

    get members() {
        const s = this.props.series;
        return {
            type: "bar",
            data: {
                labels: this.labels,
                datasets: [
                    line(_t("Members"), s.members, 0, { order: 0 }),
                    bars(_t("Active members"), s.active_members, 2, { order: 1 }),
                    bars(_t("New members"), s.new_members, 3, { order: 2 }),
                ],
            },
            options: { plugins: { legend: { position: "bottom" } } },
        };
    }

    get revenue() {
        const s = this.props.series;
        return {
            type: "bar",
            data: {
                labels: this.labels,
                datasets: [
                    bars(_t("Members"), s.member_revenue, 0),
                    bars(_t("Non-members and anonymous"), s.other_revenue, 5),
                ],
            },
            options: {
                plugins: { legend: { position: "bottom" } },
                scales: {
                    x: { stacked: true },
                    y: { stacked: true, ticks: { callback: (v) => this.money(v) } },
                },
            },
        };
    }

    get points() {
        const s = this.props.series;
        return {
            type: "bar",
            data: {
                labels: this.labels,
                datasets: [
                    line(_t("Liability (money)"), s.liability, 4, { yAxisID: "y1", order: 0 }),
                    bars(_t("Issued"), s.points_issued, 0, { order: 1 }),
                    bars(_t("Spent"), s.points_spent, 2, { order: 2 }),
                    bars(_t("Expired"), s.points_expired, 1, { order: 3 }),
                ],
            },
            options: {
                plugins: { legend: { position: "bottom" } },
                scales: {
                    y: { title: { display: true, text: _t("Points") } },
                    y1: {
                        position: "right",
                        grid: { drawOnChartArea: false },
                        ticks: { callback: (v) => this.money(v) },
                    },
                },
            },
        };
    }

    get tiers() {
        const tiers = this.props.series.tiers;
        return {
            type: "bar",
            data: {
                labels: this.labels,
                datasets: tiers.map((tier, index) => bars(tier.name, tier.values, index)),
            },
            options: {
                plugins: { legend: { position: "bottom" } },
                scales: { x: { stacked: true }, y: { stacked: true } },
            },
        };
    }

    get resultLabels() {
        const kinds = { campaign: _t("Campaign"), trigger: _t("Trigger"), offer: _t("Offer") };
        return this.props.series.results.map((r) => {
            const name = r.name.length > 32 ? `${r.name.slice(0, 31)}…` : r.name;
            return `${name} (${kinds[r.kind] || r.kind})`;
        });
    }

    resultChart(key, unit) {
        const results = this.props.series.results;
        const format = unit === "money" ? (v) => this.money(v) : (v) => `${v} %`;
        return {
            type: "bar",
            data: {
                labels: this.resultLabels,
                datasets: [
                    bars(_t("Target group"), results.map((r) => r[`target_${key}`]), 0),
                    bars(_t("Control group"), results.map((r) => r[`control_${key}`]), 5),
                ],
            },
            options: {
                indexAxis: "y",
                plugins: { legend: { position: "bottom" } },
                scales: { x: { beginAtZero: true, ticks: { callback: format } } },
            },
        };
    }

    get resultsRate() {
        return this.resultChart("rate", "percent");
    }

    get resultsRevenue() {
        return this.resultChart("revenue", "money");
    }

    get resultsHeight() {
        return Math.max(200, 60 + 34 * this.props.series.results.length);
    }
}
