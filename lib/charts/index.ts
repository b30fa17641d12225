/**
 * `sluice/charts`: charts of rows as SVG, for reports a run saves (needs `vega` and `vega-lite`).
 * @module
 */
export { type ChartOptions, chartSvg } from './chart-svg.ts';
