/**
 * The baseline for the format benchmarks: the same libraries Sluice uses, driven directly by a
 * hand-written loop with no pipeline. `node … in.csv out.csv` (csv-parse → csv-stringify streams)
 * or `node … in.parquet out.parquet` (hyparquet row groups → hyparquet-writer).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline as pipe } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';

const [input = '', output = ''] = process.argv.slice(2);
const started = performance.now();
let rows = 0;
if (input.endsWith('.csv')) {
  const add = new Transform({
    objectMode: true,
    transform(row: Record<string, unknown>, _encoding, callback) {
      row.x = 1;
      rows++;
      callback(null, row);
    },
  });
  await pipe(createReadStream(input), parse({ columns: true }), add, stringify({ header: true }), createWriteStream(output));
} else {
  const file = await asyncBufferFromFile(input);
  const metadata = await parquetMetadataAsync(file);
  let writer: ParquetWriter | undefined;
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const objects = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })) as Record<string, unknown>[];
    for (const row of objects) row.x = 1;
    rows += objects.length;
    const names = Object.keys(objects[0] ?? {});
    // The input's schema plus the new column.
    writer ??= new ParquetWriter({
      writer: fileWriter(output),
      schema: [
        ...metadata.schema.map((e, i) => (i === 0 ? { ...e, num_children: (e.num_children ?? 0) + 1 } : e)),
        { name: 'x', type: 'INT64', repetition_type: 'OPTIONAL' },
      ] as never,
    });
    await writer.write({ columnData: names.map((name) => ({ name, data: objects.map((o) => (name === 'x' ? 1n : o[name])) })), rowGroupSize: objects.length });
    start = end;
  }
  await writer?.finish();
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
