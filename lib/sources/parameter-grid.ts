/**
 * `parameterGrid`: a source of experiments for a parameter search, one row per experiment, as
 * job tools such as anomalib's pipelines make from a config. Every combination of the lists (a
 * grid), or, with `experiments: n`, n draws: a list of exactly two numbers is a range to draw
 * from (whole numbers when both ends are), any other list a set to pick from. Draws are seeded, so
 * the same config gives the same experiments, and a resume skips the same ones.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import { seededRandom } from '../core/seeded-random.ts';
import type { Source } from '../core/source.ts';
import { fromIterable } from './iterable.ts';

export interface ParameterGridOptions {
  /** Each parameter's values: a list of choices, or (when drawing) `[min, max]`. */
  params: Readonly<Record<string, readonly unknown[]>>;
  /** Draw this many experiments instead of the whole grid. */
  experiments?: number;
  /** The seed of the draws. Default 0. */
  seed?: number | string;
  /** The source's name in row ids. Default `experiments`. */
  name?: string;
}

export type Experiment = { experiment: number } & Record<string, unknown>;

function* combinations(entries: readonly (readonly [string, readonly unknown[]])[]): Generator<Record<string, unknown>> {
  if (entries.length === 0) {
    yield {};
    return;
  }
  const [[key, values], ...rest] = entries as [readonly [string, readonly unknown[]], ...(readonly [string, readonly unknown[]])[]];
  for (const value of values) for (const tail of combinations(rest)) yield { [key]: value, ...tail };
}

/**
 * @example
 * pipeline('search').from(parameterGrid({ experiments: 10, seed: 7, params: { lr: [0.1, 0.99], backbone: ['resnet18', 'wide_resnet50'] } }))
 */
export function parameterGrid(options: ParameterGridOptions): Source<Experiment> {
  const entries = Object.entries(options.params ?? {});
  if (entries.length === 0 || entries.some(([, values]) => !Array.isArray(values) || values.length === 0)) {
    throw new SluiceConfigError('Expected `params` to map each parameter to a non-empty list of values.');
  }
  const { experiments } = options;
  if (experiments !== undefined && !(Number.isInteger(experiments) && experiments >= 1)) {
    throw new SluiceConfigError(`Expected \`experiments\` to be an integer from 1 and up, got \`${String(experiments)}\``);
  }
  const rows = (): Iterable<Experiment> => {
    if (experiments === undefined) {
      let i = 0;
      return (function* () {
        for (const combination of combinations(entries)) yield { experiment: i++, ...combination };
      })();
    }
    const random = seededRandom(options.seed ?? 0);
    const draw = (values: readonly unknown[]): unknown => {
      if (values.length === 2 && typeof values[0] === 'number' && typeof values[1] === 'number') {
        const [low, high] = [Math.min(values[0], values[1]), Math.max(values[0], values[1])];
        if (Number.isInteger(low) && Number.isInteger(high)) return low + Math.floor(random() * (high - low + 1));
        return low + random() * (high - low);
      }
      return values[Math.floor(random() * values.length)];
    };
    return Array.from({ length: experiments }, (_, i) => ({ experiment: i, ...Object.fromEntries(entries.map(([key, values]) => [key, draw(values)])) }));
  };
  // Drawn again on every read, from the seed: the same experiments each time.
  const source = fromIterable<Experiment>({ [Symbol.iterator]: () => rows()[Symbol.iterator]() }, { name: options.name ?? 'experiments' });
  return { ...source, columns: ['experiment', ...entries.map(([key]) => key)] };
}
