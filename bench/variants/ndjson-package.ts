/** The owner-named `ndjson` package doing the same work, for the design note. `node … in out` */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ndjson from 'ndjson';

const [input = '', output = '/dev/null'] = process.argv.slice(2);
const started = performance.now();
let rows = 0;
await pipeline(
  createReadStream(input, { highWaterMark: 1 << 20 }),
  ndjson.parse(),
  new Transform({
    objectMode: true,
    transform(row: Record<string, unknown>, _enc, cb) {
      row.x = 1;
      rows++;
      cb(null, row);
    },
  }),
  ndjson.stringify(),
  createWriteStream(output),
);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
