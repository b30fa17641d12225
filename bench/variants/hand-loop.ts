/**
 * The limit: a hand-written Node loop. Reads 1 MiB chunks, splits lines, JSON.parse, adds a field,
 * JSON.stringify, writes in batches. `node bench/variants/hand-loop.ts in out`
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const [input = '', output = '/dev/null'] = process.argv.slice(2);
const started = performance.now();
const fdIn = openSync(input, 'r');
const fdOut = openSync(output, 'w');
const buffer = Buffer.alloc(1 << 20);
let tail = '';
let rows = 0;
for (;;) {
  const n = readSync(fdIn, buffer, 0, buffer.length, null);
  if (n === 0) break;
  const text = tail + buffer.toString('utf8', 0, n);
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  let out = '';
  for (const line of lines) {
    if (line === '') continue;
    const row = JSON.parse(line);
    row.x = 1;
    out += `${JSON.stringify(row)}\n`;
    rows++;
  }
  writeSync(fdOut, out);
}
if (tail !== '') {
  const row = JSON.parse(tail);
  row.x = 1;
  writeSync(fdOut, `${JSON.stringify(row)}\n`);
  rows++;
}
closeSync(fdIn);
closeSync(fdOut);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
