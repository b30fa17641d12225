/** A step that waits 1 ms per row at concurrency 64, file to file. `node … in out` */
import { map, ndjsonFile, pipeline, toNdjsonFile, toFailedFile, type Row } from 'sluice';

const [input = '', output = '/dev/null'] = process.argv.slice(2);
const started = performance.now();
const summary = await pipeline('slow')
  .from(ndjsonFile(input))
  .pipe(map((row: Row) => new Promise<Row>((resolve) => setTimeout(() => resolve(row), 1)), { concurrency: 64 }))
  .to(toNdjsonFile(output))
  .failedTo(toFailedFile('bench/.data/failed.jsonl'))
  .run({ budget: 256 });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows: summary.written.default ?? 0, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
