/**
 * Throughput of the NDJSON codec alone, against the loop one would write by hand.
 * Not a test: run `node_modules/.bin/node bench/codec.ts [rows]` and compare the rates.
 *
 * - hand loop: readSync 1 MiB chunks, split, JSON.parse (the ceiling for this approach);
 * - ndjsonLines over the same readSync chunks (the codec's own cost);
 * - ndjsonLines over fs.createReadStream with a 1 MiB highWaterMark (what `ndjsonFile` does).
 * @module
 */
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { ndjsonLines } from '../lib/sources/ndjson-lines.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const path = `/tmp/sluice-codec-bench-${rows}.jsonl`;
const CHUNK = 1 << 20;

function makeFile(): void {
  if (existsSync(path)) return;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    // ~200 bytes: an id, a number, a short string, a nested object and some text.
    lines.push(
      JSON.stringify({
        id: i,
        score: ((i * 7919) % 1000) / 10,
        topic: `topic-${i % 97}`,
        meta: { source: 'bench', shard: i % 16, tags: ['a', 'b'] },
        text: 'The quick brown fox jumps over the lazy dog. '.repeat(2) + String(i).padStart(8, '0'),
      }),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function handLoop(): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let tail = '';
  let count = 0;
  for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) {
    const lines = (tail + buf.toString('utf8', 0, n)).split('\n');
    tail = lines.pop()!;
    for (const line of lines) {
      if (line && JSON.parse(line)) count++;
    }
  }
  if (tail && JSON.parse(tail)) count++;
  closeSync(fd);
  return count;
}

async function* syncChunks(): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

async function codec(input: AsyncIterable<Buffer>): Promise<number> {
  let count = 0;
  for await (const batch of ndjsonLines(input)) {
    for (const item of batch) if (item.ok) count++;
  }
  return count;
}

async function time(label: string, run: () => number | Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const count = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (count !== rows) throw new Error(`${label}: read ${count} rows, expected ${rows}`);
  return rows / seconds;
}

makeFile();
const bytes = statSync(path).size;
console.log(`${rows} rows, ${(bytes / rows).toFixed(0)} bytes/row, ${(bytes / 2 ** 20).toFixed(0)} MiB, node ${process.version}`);

const best = { hand: 0, codec: 0, stream: 0 };
// Alternate the runs so that neither gets the warm cache or the quiet machine alone; keep the best of each.
for (let round = 0; round < 5; round++) {
  best.hand = Math.max(best.hand, await time('hand loop', handLoop));
  best.codec = Math.max(best.codec, await time('ndjsonLines (readSync chunks)', () => codec(syncChunks())));
  best.stream = Math.max(best.stream, await time('ndjsonLines (createReadStream)', () => codec(createReadStream(path, { highWaterMark: CHUNK }))));
}
const fmt = (rate: number) => `${Math.round(rate / 1000)}k rows/s`;
console.log(`hand loop (readSync, split, JSON.parse): ${fmt(best.hand)}`);
console.log(`ndjsonLines over readSync chunks:        ${fmt(best.codec)} (${((100 * best.codec) / best.hand).toFixed(0)}% of the hand loop)`);
console.log(`ndjsonLines over createReadStream 1 MiB: ${fmt(best.stream)} (${((100 * best.stream) / best.hand).toFixed(0)}% of the hand loop)`);
