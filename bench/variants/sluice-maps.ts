/** The same work as a Sluice pipeline of K map steps, file to file. `node … in out K` */
import { map, ndjsonFile, pipeline, toNdjsonFile, toFailedFile, type Row } from 'sluice';

const [input = '', output = '/dev/null', k = '1'] = process.argv.slice(2);
const steps = [
  map((row: Row) => {
    row.x = 1;
    return row;
  }),
];
for (let i = 1; i < Number(k); i++) steps.push(map((row: Row) => row));
const started = performance.now();
const summary = await pipeline('bench')
  .from(ndjsonFile(input))
  .pipe(...steps)
  .to(toNdjsonFile(output))
  .failedTo(toFailedFile('bench/.data/failed.jsonl'))
  .run();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows: summary.written.default ?? 0, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
