/**
 * A Unix filter: trims every string field and drops rows whose `text` is empty after trimming.
 *
 *   cat rows.jsonl | npx sluice run examples/clean.ts > out.jsonl
 */
import { filter, map, pipeline } from 'sluice';

type Row = Record<string, unknown>;

function trimStrings(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = typeof value === 'string' ? value.trim() : value;
  return out;
}

export default pipeline<Row>('clean').pipe(
  map(trimStrings, { name: 'trim' }),
  filter((row) => typeof row.text === 'string' && row.text !== '', { name: 'non-empty-text' }),
);
