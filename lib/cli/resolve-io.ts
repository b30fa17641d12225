/**
 * Turns `--input`, `--output` and `--failed` into sources and sinks.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Sink } from '../sinks/sink.ts';
import type { Source } from '../sources/source.ts';
import { ndjsonFile } from '../sources/ndjson-file.ts';
import { ndjsonStdin } from '../sources/ndjson-stdin.ts';
import { jsonArrayFile } from '../sources/json-array-file.ts';
import { toNdjsonFile } from '../sinks/ndjson-file.ts';
import { toNdjsonDir } from '../sinks/ndjson-dir.ts';
import { toStdout } from '../sinks/ndjson-stdout.ts';

export function sourceFor(input: string): Source {
  if (input === '-') return ndjsonStdin();
  if (extname(input) === '.json') return jsonArrayFile(input);
  return ndjsonFile(input);
}

/** Whether `-o` names a folder: it ends with `/` or is an existing folder. */
export function isFolderOutput(output: string): boolean {
  return output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory());
}

export function sinkFor(output: string): Sink {
  if (output === '-') return toStdout();
  if (isFolderOutput(output)) return toNdjsonDir(output);
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
