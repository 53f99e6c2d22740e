import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

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
