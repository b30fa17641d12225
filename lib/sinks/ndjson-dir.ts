/**
 * An NDJSON directory sink: one `<leaf>.jsonl` file per leaf (named output), like a Distiset's subsets.
 * @module
 */
import type { Sink } from '../core/sink.ts';
import { toLeafFolder } from './leaf-folder.ts';

export interface ToNdjsonDirOptions {
  /** Files no leaf may write to, such as the failed-rows file when it sits in the same folder. */
  reserved?: readonly string[];
}

/**
 * Writes each leaf's rows to `<dir>/<leaf>.jsonl` (`a/b` becomes `a__b.jsonl`, the unnamed leaf
 * `default.jsonl`); see `toLeafFolder`.
 * @example
 * await pipeline('split').from(ndjsonFile('in.jsonl')).pipe(route({ good: isGood, bad: isBad })).to(toNdjsonDir('out')).run();
 * // out/good.jsonl, out/bad.jsonl
 */
export function toNdjsonDir(dir: string, options: ToNdjsonDirOptions = {}): Sink {
  return toLeafFolder(dir, options);
}
