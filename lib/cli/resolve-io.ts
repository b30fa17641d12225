/**
 * Turns `--input`, `--output` and `--failed` into sources and sinks.
 * @module
 */
import { checkOutputExtension, inputSource } from '../config/io-paths.ts';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { toNdjsonFile } from '../sinks/ndjson-file.ts';
import { toNdjsonDir } from '../sinks/ndjson-dir.ts';
import { toStdout } from '../sinks/ndjson-stdout.ts';

/** The source `-i` names: stdin for `-`, a JSON array for `.json`, else NDJSON lines of at most `maxLineBytes`. */
export function sourceFor(input: string, options: { maxLineBytes?: number } = {}): Source {
  return inputSource(input, options);
}

/** Whether `-o` names a folder: it ends with `/` or is an existing folder. */
export function isFolderOutput(output: string): boolean {
  return output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory());
}

export function sinkFor(output: string, failedPath?: string): Sink {
  if (output === '-') return toStdout();
  // No leaf may write over the failed-rows file when it sits in the output folder.
  if (isFolderOutput(output)) return toNdjsonDir(output, failedPath === undefined ? {} : { reserved: [failedPath] });
  checkOutputExtension(output, '-o');
  return toNdjsonFile(output);
}

/**
 * Where failed rows go when `--failed` is not given:
 * `out.jsonl` → `out.failed.jsonl`; a folder → `folder/failed.jsonl`; stdout → `./failed.jsonl`.
 */
export function failedPathFor(output: string | undefined): string {
  if (output === undefined || output === '-') return 'failed.jsonl';
  if (isFolderOutput(output)) return join(output, 'failed.jsonl');
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}.failed.jsonl`);
}
