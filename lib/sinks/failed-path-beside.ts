/**
 * Where a file output's failed rows go by default: beside it, its extensions (and compression)
 * replaced: `out/qa.jsonl` → `out/qa.failed.jsonl`, `data.csv.gz` → `data.failed.jsonl`.
 * @module
 */
import { basename, dirname, join } from 'node:path';

export function failedPathBeside(path: string): string {
  return join(dirname(path), `${basename(path).replace(/(\.[^./]+)?(\.gz|\.zst)?$/i, '')}.failed.jsonl`);
}
