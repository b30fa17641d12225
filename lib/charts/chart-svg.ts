/**
 * `chartSvg`: a chart of rows as an SVG document, drawn by Vega-Lite (compiled to Vega and
 * rendered without a browser or a canvas). Vega and Vega-Lite are optional peer dependencies,
 * loaded on first use: `npm i vega vega-lite` to draw charts.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';

export interface ChartOptions {
  /** The mark: `point` (default), `line`, `bar`, `area` or `tick`. */
  mark?: 'point' | 'line' | 'bar' | 'area' | 'tick';
  /** The column on the x axis. */
  x: string;
  /** The column on the y axis. */
  y: string;
  /** A column that colours the marks (one colour per value). */
  color?: string;
  /** How the x and y columns are read: numbers (`quantitative`, default), categories (`nominal`), ordered (`ordinal`) or times (`temporal`). */
  xType?: 'quantitative' | 'nominal' | 'ordinal' | 'temporal';
  yType?: 'quantitative' | 'nominal' | 'ordinal' | 'temporal';
  title?: string;
  /** Size of the plot area, in pixels. Default 480 × 320. */
  width?: number;
  height?: number;
  /** More Vega-Lite, merged over what the options above make (`{ encoding: { size: … } }`). */
  vegaLite?: Record<string, unknown>;
}

/** The most rows a chart draws: a chart is a picture, not a dataset. */
const MAX_ROWS = 100_000;

async function load(): Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> {
  try {
    const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
    return { vega, vegaLite };
  } catch (error) {
    throw new SluiceConfigError('Charts are drawn with Vega-Lite, which is not installed: run `npm i vega vega-lite` in your project.', {
      cause: error,
    });
  }
}

/**
 * @example
 * await writeFile('scores.svg', await chartSvg(results, { x: 'lr', y: 'score', color: 'backbone', title: 'Score by learning rate' }));
 */
export async function chartSvg(rows: readonly Row[], options: ChartOptions): Promise<string> {
  if (!options || typeof options.x !== 'string' || typeof options.y !== 'string') {
    throw new SluiceConfigError('Expected `x` and `y` to name the columns to draw, such as `{ x: "lr", y: "score" }`.');
  }
  if (rows.length > MAX_ROWS) {
    throw new SluiceConfigError(
      `A chart draws at most ${MAX_ROWS.toLocaleString('en-US')} rows, got ${rows.length.toLocaleString('en-US')}: aggregate or sample them first.`,
    );
  }
  const { vega, vegaLite } = await load();
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? 480,
    height: options.height ?? 320,
    // Inline values only: nothing is fetched.
    data: { values: rows.map((row) => ({ ...row })) },
    mark: { type: options.mark ?? 'point', tooltip: true },
    encoding: {
      x: { field: options.x, type: options.xType ?? 'quantitative' },
      y: { field: options.y, type: options.yType ?? 'quantitative' },
      ...(options.color !== undefined ? { color: { field: options.color, type: 'nominal' } } : {}),
    },
    ...options.vegaLite,
  };
  // Nothing may reach the network or the disk: data is inline, and a URL in a user's spec is refused.
  const url = findUrl(options.vegaLite);
  if (url !== undefined) throw new SluiceConfigError(`Charts draw inline rows only; the spec asked to load \`${url}\`.`);
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The first `url` anywhere in a spec (data, images, topologies), if any. */
function findUrl(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'url' && typeof inner === 'string') return inner;
    const found = findUrl(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}
