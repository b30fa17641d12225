/** Writes N rows of about 200 bytes each as NDJSON: `node bench/variants/gen.ts N path`. */
import { openSync, writeSync, closeSync } from 'node:fs';

const [count = '1000000', path = 'bench/.data/rows.jsonl'] = process.argv.slice(2);
const fd = openSync(path, 'w');
let chunk = '';
const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor';
for (let i = 0; i < Number(count); i++) {
  chunk += `${JSON.stringify({ id: i, topic: `topic number ${i % 997}`, text: `${filler} ${i}`, score: (i % 100) / 10, tags: ['a', 'b', 'c'], ok: i % 2 === 0 })}\n`;
  if (chunk.length > 1 << 20) {
    writeSync(fd, chunk);
    chunk = '';
  }
}
writeSync(fd, chunk);
closeSync(fd);
