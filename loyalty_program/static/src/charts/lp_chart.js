import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";

/** Data points of a Chart.js configuration that are not zero or empty. */
export function countPoints(config) {
    return config.data.datasets.reduce(
        (count, dataset) => count + dataset.data.filter((value) => value).length,
        0
    );
}

/**
 * One Chart.js chart (Odoo's own Chart.js, loaded as the graph view loads
 * it), drawn again whenever its configuration changes. ``data-points`` on
 * the element counts the non-zero data points, for tours and screenshots.
 */
export class LpChart extends Component {
    static template = "loyalty_program.LpChart";
    static props = {
        name: String,
        title: { type: String, optional: true },
        config: Object,
        height: { type: Number, optional: true },
    };
    static defaultProps = { height: 260 };

    setup() {
        this.canvasRef = useRef("canvas");
        onWillStart(() => loadBundle("web.chartjs_lib"));
        onMounted(() => this.draw());
        onPatched(() => this.draw());
        onWillUnmount(() => this.chart?.destroy());
    }

    get points() {
        return countPoints(this.props.config);
    }

    draw() {
        this.chart?.destroy();
        const config = this.props.config;
        config.options = {
            maintainAspectRatio: false,
            animation: false,
            ...config.options,
        };
        this.chart = new Chart(this.canvasRef.el, config);
    }
}
