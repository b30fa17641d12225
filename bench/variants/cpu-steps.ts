/**
 * A CPU-bound `map` (~2 ms of hashing per row) over generated rows: on the main thread
 * (`node … 0`), or as `threadMap` on N worker threads (`node … N`).
 */
import { fromIterable, map, pipeline, threadMap, toFailedFile, toMemory } from 'sluice';
import { burn } from './cpu-work.ts';

const [threadsArg = '0', rowsArg = '1500'] = process.argv.slice(2);
const threads = Number(threadsArg);
const rows = Array.from({ length: Number(rowsArg) }, (_, n) => ({ n }));
const step =
  threads === 0
    ? map(burn)
    : threadMap<{ n: number }, { n: number; hash: number }>({ module: new URL('./cpu-work.ts', import.meta.url), export: 'burn', threads });
const out = toMemory();
const started = performance.now();
const summary = await pipeline('cpu')
  .from(fromIterable(rows))
  .pipe(step)
  .to(out)
  .run({ cache: false, failed: toFailedFile('/dev/null') });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows: summary.written.default ?? 0, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
