import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/** A step asserting that the dashboard's chart ``name`` was drawn with data. */
function chartHasData(name) {
    return {
        content: `The ${name} chart is drawn with data`,
        trigger: `.o_lp_chart[data-chart=${name}]:not([data-points='0']) canvas`,
        run() {
            const chart = Chart.getChart(this.anchor);
            const values = chart?.data.datasets.flatMap((dataset) => dataset.data) || [];
            if (!values.some((value) => value)) {
                throw new Error(`The ${name} chart has no data`);
            }
        },
    };
}

registry.category("web_tour.tours").add("loyalty_program_figures_dashboard", {
    steps: () => [
        ...stepUtils.goToAppSteps("loyalty_program.menu_lp_root", "Open the Loyalty app"),
        {
            content: "The app opens on the dashboard: two members",
            trigger: ".o_lp_figure[data-figure=members] .o_lp_figure_value:contains('2')",
        },
        {
            content: "One of them bought in the last 30 days",
            trigger: ".o_lp_figure[data-figure=active_members] .o_lp_figure_value:contains('1')",
        },
        {
            content: "The previous period is shown for comparison",
            trigger: ".o_lp_figure[data-figure=revenue] .o_lp_figure_previous",
        },
        {
            content: "Choose this year",
            trigger: ".o_lp_figures_preset[data-preset=year]",
            run: "click",
        },
        chartHasData("members"),
        chartHasData("revenue"),
        chartHasData("points"),
        chartHasData("tiers"),
        {
            content: "No campaign was sent: the results charts say so",
            trigger: ".o_lp_monthly_charts .o_lp_no_results",
        },
        {
            content: "The tier distribution lists the base tier",
            trigger: ".o_lp_figures_tiers td:contains('Base')",
        },
        {
            content: "Open the points by month",
            trigger: ".o_lp_figures_links button:contains('Points by month')",
            run: "click",
        },
        {
            content: "The graph of the ledger is shown",
            trigger: ".o_graph_view",
        },
    ],
});
