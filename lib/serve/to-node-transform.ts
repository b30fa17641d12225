/**
 * `toNodeTransform`: the pipeline as a Node `Duplex` (a transform): rows written in come out
 * transformed, with backpressure both ways (the writable side is read only as permits free up,
 * the readable side pulls like `toAsyncIterable`).
 * @module
 */
import { Duplex } from 'node:stream';
import type { RunOptions, RunnablePipeline } from '../core/run-options.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { ndjsonLines } from '../sources/ndjson-lines.ts';
import { toAsyncIterable, type PullingIterable } from './to-async-iterable.ts';
import { InputError } from '../core/errors.ts';

export interface TransformOptions extends Omit<RunOptions, 'deliver' | 'sink' | 'source'> {
  /** Bytes in and out: NDJSON text instead of objects. Default false (object mode). */
  ndjson?: boolean;
  /** Names the input in row ids. Default `stream`. */
  name?: string;
}

function objectSource(input: AsyncIterable<unknown>, name: string): Source {
  return {
    name,
    async *read() {
      let position = 0;
      for await (const value of input) {
        const item: SourceItem =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? { ok: true, row: value as Row, position: position++ }
            : {
                ok: false,
                position: position++,
                error: new InputError('SLUICE_INPUT_NOT_OBJECT', `Item ${position - 1} written to the transform is not an object.`),
              };
        yield [item];
      }
    },
  };
}

/**
 * @example
 * await pipeline(fs.createReadStream('in.jsonl'), toNodeTransform(p, { ndjson: true }), fs.createWriteStream('out.jsonl'));
 */
export function toNodeTransform(pipeline: RunnablePipeline, options: TransformOptions = {}): Duplex {
  const { ndjson = false, name = 'stream', ...runOptions } = options;
  let rows: PullingIterable<Row> | undefined;
  let finished = false;
  const duplex = Duplex.from(async function* transform(input: AsyncIterable<unknown>) {
    const source: Source = ndjson ? { name, read: () => ndjsonLines(input as AsyncIterable<Buffer>) } : objectSource(input, name);
    rows = toAsyncIterable<Row>(pipeline, { ...runOptions, source });
    for await (const row of rows) {
      yield ndjson ? `${JSON.stringify(row)}\n` : row;
    }
    finished = true;
  });
  // Destroyed before the end (the reader went away): abort the run at once. The stream's own
  // teardown waits for the generator, which would notice only at the next row, an LLM answer away.
  const destroyStream = duplex._destroy.bind(duplex);
  duplex._destroy = (error, callback) => {
    if (!finished && rows) void rows.return?.();
    destroyStream(error, callback);
  };
  return duplex;
}
