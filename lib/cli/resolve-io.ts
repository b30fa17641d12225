/**
 * Turns `--input`, `--output` and `--failed` into sources and sinks.
 * @module
 */
import { inputSource } from '../config/io-paths.ts';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { sinkFor as sinkForLocation } from '../formats/sink-for.ts';
import { failedPathBeside } from '../sinks/failed-path-beside.ts';
import { isHubLocation } from '../hub/hub-location.ts';
import { isRedisUrl } from '../broker/connect-redis.ts';

/** The source `-i` names: stdin for `-`, else a file or URL in the format its extension (or `format`) names. */
export function sourceFor(
  input: string,
  { format, maxLineBytes, split, shuffle }: { maxLineBytes?: number; format?: string; split?: string; shuffle?: { seed: string | number } } = {},
): Source {
  const options = { ...(format !== undefined ? { format } : {}), ...(split !== undefined ? { split } : {}), ...(shuffle !== undefined ? { shuffle } : {}) };
  return inputSource(Object.keys(options).length === 0 ? input : { path: input, ...options }, maxLineBytes === undefined ? {} : { maxLineBytes });
}

/** Whether `-o` names a folder: it ends with `/` or is an existing folder. */
export function isFolderOutput(output: string): boolean {
  return output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory());
}

/** The sink `-o` names: stdout for `-`, a folder of one file per leaf, or one file; in the format its extension (or `format`) names. */
export function sinkFor(output: string, failedPath?: string, format?: string, chunkSize?: number): Sink {
  // No leaf may write over the failed-rows file when it sits in the output folder.
  const folder = output !== '-' && isFolderOutput(output);
  return sinkForLocation(output, {
    ...(format !== undefined ? { format } : {}),
    ...(chunkSize !== undefined ? { chunkSize } : {}),
    folder,
    ...(folder && failedPath !== undefined ? { reserved: [failedPath] } : {}),
  });
}

/**
 * Where failed rows go when `--failed` is not given:
 * `out.jsonl` → `out.failed.jsonl`; a folder → `folder/failed.jsonl`; stdout → `./failed.jsonl`.
 */
export function failedPathFor(output: string | undefined): string {
  if (output === undefined || output === '-' || isHubLocation(output) || isRedisUrl(output)) return 'failed.jsonl';
  if (isFolderOutput(output)) return join(output, 'failed.jsonl');
  return failedPathBeside(output);
}
