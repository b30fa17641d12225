/**
 * A Parquet file sink, on `hyparquet-writer`: rows are gathered into row groups of `rowGroupSize`
 * and each group is encoded (snappy by default) and written as it fills, so memory holds one row
 * group whatever the number of rows. The schema is inferred from the first rows (`sampleRows`) or
 * given as a zod schema; nested objects and lists become Parquet structs and lists.
 *
 * A row counts as written once it is in the row group being filled (or, among the first rows,
 * kept for the schema, which is made to hold them): a Parquet file cannot be appended to after a
 * crash anyway (a run directory resumes it through `stagedFile`'s line copy), and holding permits for a
 * whole row group would stall a budget smaller than the group. A failure to write the file ends
 * the run with an error.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { OutputNotJsonError, SinkClosedError, SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Sink } from '../core/sink.ts';
import { OutputColumnsError } from './csv-encoding.ts';
import { conform, mergeShapes, type Shape, schemaElements, shapeFromJsonSchema, shapeOf } from './parquet-shape.ts';
import { failedPathBeside } from './failed-path-beside.ts';

export interface ToParquetFileOptions {
  /** Rows per row group. Default 10,000. */
  rowGroupSize?: number;
  /** The rows' schema (a `z.object`); without it, the schema is inferred from the first `sampleRows` rows. */
  schema?: z.ZodType;
  /** Rows the schema is inferred from. Default 32. */
  sampleRows?: number;
  /** The compression of column chunks. Default `SNAPPY`. */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
}

type Done = (error?: Error | null) => void;
interface ParquetWriterLike {
  write(options: { columnData: { name: string; data: unknown[] }[]; rowGroupSize: number }): void | Promise<void>;
  finish(): void | Promise<void>;
}

/**
 * @example
 * pipeline('p').from(ndjsonFile('qa.jsonl')).to(toParquetFile('qa.parquet', { rowGroupSize: 50_000 }))
 */
export function toParquetFile(path: string, options: ToParquetFileOptions = {}): Sink {
  const rowGroupSize = options.rowGroupSize ?? 10_000;
  const sampleRows = options.sampleRows ?? 32;
  for (const [option, value] of [
    ['rowGroupSize', rowGroupSize],
    ['sampleRows', sampleRows],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new SluiceConfigError(`Expected \`${option}\` to be an integer from 1 and up, got \`${String(value)}\``);
  }
  let columns: Map<string, Shape> | undefined;
  if (options.schema !== undefined) {
    const shape = shapeFromJsonSchema(z.toJSONSchema(options.schema, { unrepresentable: 'any' }));
    if (shape.kind !== 'struct')
      throw new SluiceConfigError('Expected `schema` to be a `z.object({ … })` with at least one column, got another kind of schema');
    columns = new Map(shape.fields);
  }
  /** The first rows, until the schema is inferred from them. They are taken (their dones called) at once: the schema will hold them. */
  const sample: Row[] = [];
  // The columns in order, their shapes, and the row group's values of each, once the schema is fixed.
  let names: string[] = [];
  let kinds: Shape[] = [];
  let data: unknown[][] = [];
  let groupRows = 0;
  let writer: ParquetWriterLike | undefined;
  let failure: Error | undefined;
  let reported = false;
  let closing: Promise<void> | undefined;

  // Dones are called on the next tick, never inside write(); close() waits for the last of them.
  let pendingDones = 0;
  let whenNoneLeft: (() => void) | undefined;
  // Batched: one tick calls every done queued since the last, rather than a tick per row. A failed
  // row's done is queued wrapped with its error (rare), so a row taken allocates nothing here.
  let queued: Done[] = [];
  const callQueued = () => {
    const batch = queued;
    queued = [];
    pendingDones -= batch.length;
    for (const done of batch) done();
    if (pendingDones === 0) whenNoneLeft?.();
  };
  const later = (done: Done, error?: Error) => {
    pendingDones++;
    if (queued.push(error ? () => done(error) : done) === 1) process.nextTick(callQueued);
  };
  const fail = (done: Done, error: Error) => {
    reported = true;
    later(done, error);
  };

  async function start(): Promise<void> {
    const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
    const names = [...columns!.keys()];
    const schema = [{ name: 'root', num_children: names.length }, ...names.flatMap((name) => schemaElements(name, columns!.get(name)!))];
    writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: schema as never,
      codec: options.codec ?? 'SNAPPY',
      createdBy: 'sluice',
    }) as ParquetWriterLike;
    if (groupRows >= rowGroupSize) flushGroup();
  }

  /** Adds a row to the row group; `done` (if any) gets the outcome. */
  function add(row: Row, done?: Done): void {
    const shapes = columns!;
    let added = 0;
    try {
      let keys = 0;
      for (const _ in row) keys++;
      let present = 0;
      for (let i = 0; i < names.length; i++) {
        const value = row[names[i]!];
        const shape = kinds[i]!;
        if (value !== undefined) present++;
        data[i]!.push(
          value === null || value === undefined ? null : shape.kind === 'string' && typeof value === 'string' ? value : conform(value, shape, names[i]!),
        );
        added++;
      }
      // More keys than columns found: a column the file does not have (unless its value is undefined, which JSON drops too).
      if (keys > present) {
        for (const key in row) {
          if (!shapes.has(key) && row[key] !== undefined) {
            throw new OutputColumnsError(
              `A row has column \`${key}\`, which ${path} does not have (its columns, from its first rows: ${[...shapes.keys()].map((c) => `\`${c}\``).join(', ')}). Give the sink a \`schema\` with every column, or drop it in a step before.`,
            );
          }
        }
      }
    } catch (error) {
      // Take back the values of this row already added, so that the columns stay aligned.
      for (let i = 0; i < added; i++) data[i]!.pop();
      if (done) fail(done, error as Error);
      else failure ??= error as Error;
      return;
    }
    groupRows++;
    if (done) later(done);
    if (groupRows >= rowGroupSize) flushGroup();
  }

  function flushGroup(): void {
    if (groupRows === 0 || !writer) return;
    const columnData = names.map((name, i) => ({ name, data: data[i]! }));
    data = names.map(() => []);
    groupRows = 0;
    try {
      void writer.write({ columnData, rowGroupSize });
    } catch (error) {
      failure ??= error as Error;
    }
  }

  /** Fixes the schema (from the sample, unless given) and takes the sampled rows; the file is opened after. */
  function fixSchema(): Promise<void> {
    if (!columns) {
      const shapes = new Map<string, Shape>();
      for (const row of sample)
        for (const [key, value] of Object.entries(row)) shapes.set(key, mergeShapes(shapes.get(key) ?? { kind: 'null' }, shapeOf(value)));
      columns = shapes;
    }
    fixed = true;
    names = [...columns.keys()];
    kinds = names.map((name) => columns!.get(name)!);
    data = names.map(() => []);
    for (const row of sample.splice(0)) add(row);
    return start();
  }

  let fixing: Promise<void> | undefined;
  let fixed = false;
  return {
    name: path,
    failedPath: failedPathBeside(path),
    async open() {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '');
      } catch (error) {
        failure = error as Error;
        throw error;
      }
    },
    write(row, _leaf, done) {
      if (failure) return fail(done, failure);
      if (closing) return fail(done, new SinkClosedError('A row was written after the sink was closed; it was not written.'));
      if (fixed) return add(row, done);
      if (columns) {
        // A schema was given: no sample to wait for.
        fixing = fixSchema().catch((error: Error) => failSample(error));
        return add(row, done);
      }
      // Among the first rows: kept for the schema, which is inferred to hold them.
      // A row JSON cannot hold (a BigInt, a cycle) is that row's failure, as in every other format.
      try {
        JSON.stringify(row);
      } catch (error) {
        return fail(
          done,
          new OutputNotJsonError(`A row could not be written (${(error as Error).message}). Rows must hold only JSON values.`, { cause: error }),
        );
      }
      sample.push(row);
      later(done);
      if (sample.length >= sampleRows) fixing = fixSchema().catch((error: Error) => failSample(error));
    },
    close() {
      closing ??= (async () => {
        if (failure) {
          sample.length = 0;
          if (pendingDones > 0) await new Promise<void>((resolve) => (whenNoneLeft = resolve));
          if (!reported) throw failure;
          return;
        }
        // No row and no schema: a valid file with no columns, as an empty `> out.parquet` would be.
        if (!fixed) fixing = fixSchema().catch((error: Error) => failSample(error));
        await fixing;
        flushGroup();
        if (failure) throw failure;
        await writer?.finish();
        if (pendingDones > 0) await new Promise<void>((resolve) => (whenNoneLeft = resolve));
      })();
      return closing;
    },
  };

  function failSample(error: Error): void {
    failure ??= error;
    sample.length = 0;
  }
}
