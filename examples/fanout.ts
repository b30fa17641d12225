/**
 * Fan-out, routing, fan-in and aggregation, with no LLM.
 *
 *   npx sluice run examples/fanout.ts -i examples/data/rows.jsonl -o out/fanout/
 *
 * Each row is cleaned, then broadcast to two branches that compute different features; `join`
 * merges the branches back by row id. Rows are then routed by language to named outputs
 * (`out/fanout/en.jsonl`, `…/other.jsonl`), and a per-language count goes to `stats.jsonl`.
 */
import { aggregate, broadcast, filter, join, map, pipeline, route } from 'sluice';

interface Input {
  text?: unknown;
  lang?: string;
}

export default pipeline<Input>('fanout').pipe(
  map((row) => ({ lang: row.lang ?? 'unknown', text: String(row.text ?? '').trim() }), { name: 'trim' }),
  filter((row) => row.text !== '', { name: 'non-empty' }),
  broadcast({
    shape: (c) => c.pipe(map((row) => ({ ...row, words: row.text.split(/\s+/).length, chars: row.text.length }), { name: 'shape' })),
    tone: (c) => c.pipe(map((row) => ({ ...row, question: row.text.endsWith('?'), shout: row.text === row.text.toUpperCase() }), { name: 'tone' })),
  }),
  join({ name: 'features' }),
  broadcast({
    rows: (c) => c.pipe(route((row) => (row.lang === 'en' ? 'en' : 'other'), undefined, { name: 'by-language' })),
    stats: (c) =>
      c.pipe(
        aggregate({
          key: 'lang',
          reduce: (rows, lang) => ({ lang, rows: rows.length, words: rows.reduce((n, r) => n + Number(r.words), 0) }),
          name: 'per-language',
        }),
      ),
  }),
);
