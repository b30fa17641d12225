/**
 * File to file through one `map`, in the formats the paths' extensions name (CSV, Parquet…), as
 * a Sluice pipeline: `node … in out`.
 */
import { map, pipeline, type Row, sinkFor, sourceFor, toFailedFile } from 'sluice';

const [input = '', output = ''] = process.argv.slice(2);
const started = performance.now();
const summary = await pipeline('formats')
  .from(sourceFor(input))
  .pipe(
    map((row: Row) => {
      row.x = 1;
      return row;
    }),
  )
  .to(sinkFor(output))
  .run({ cache: false, failed: toFailedFile('/dev/null'), budget: 1024 });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows: summary.written.default ?? 0, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
