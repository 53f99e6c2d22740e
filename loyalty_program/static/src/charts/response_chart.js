import { Component, onWillStart, onWillUpdateProps, useState } from "@odoo/owl";
import { cookie } from "@web/core/browser/cookie";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { LpChart } from "./lp_chart";

/**
 * The results of a campaign or a trigger as a chart, on its form: the
 * target group against the control group day by day over the response
 * window, the share who bought and the revenue per customer
 * (``get_response_curve`` of the record). Drawn again when the results
 * are updated.
 */
export class LpResponseChart extends Component {
    static template = "loyalty_program.ResponseChart";
    static components = { LpChart };
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ curve: null });
        onWillStart(() => this.load(this.props));
        onWillUpdateProps((next) => {
            if (next.record.data.results_date !== this.props.record.data.results_date) {
                return this.load(next);
            }
        });
    }

    async load(props) {
        const record = props.record;
        if (!record.resId || !record.data.results_date) {
            this.state.curve = null;
            return;
        }
        this.state.curve = await this.orm.call(record.resModel, "get_response_curve", [
            [record.resId],
        ]);
    }

    chart(key, title) {
        const curve = this.state.curve;
        const scheme = cookie.get("color_scheme");
        const groups = [
            ["target", _t("Target group"), getColor(0, scheme, "sm")],
            ["control", _t("Control group"), getColor(5, scheme, "sm")],
        ];
        return {
            type: "line",
            data: {
                labels: curve.days.map((day) => day + 1),
                datasets: groups.map(([group, label, color]) => ({
                    label: `${label} (${curve[group].customers})`,
                    data: curve[group][key],
                    borderColor: color,
                    backgroundColor: color,
                    stepped: true,
                    pointRadius: 0,
                })),
            },
            options: {
                plugins: { legend: { position: "bottom" } },
                scales: {
                    x: { title: { display: true, text: _t("Days after the message") } },
                    y: { beginAtZero: true, title: { display: true, text: title } },
                },
            },
        };
    }

    get bought() {
        return this.chart("bought", _t("Bought (%)"));
    }

    get revenue() {
        return this.chart("revenue", _t("Revenue per customer"));
    }
}

registry.category("view_widgets").add("lp_response_chart", {
    component: LpResponseChart,
    fieldDependencies: [{ name: "results_date", type: "datetime" }],
});
