/**
 * A definition's `input` and `output`: the source and sink a path stands for, and the way back
 * from them to the path, for saving. Paths are relative to the current directory, as `-i`/`-o` are.
 * @module
 */
import { extname } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { toNdjsonDir } from '../sinks/ndjson-dir.ts';
import { toNdjsonFile } from '../sinks/ndjson-file.ts';
import { toStdout } from '../sinks/ndjson-stdout.ts';
import type { Source } from '../core/source.ts';
import { jsonArrayFile } from '../sources/json-array-file.ts';
import { ndjsonFile } from '../sources/ndjson-file.ts';
import { ndjsonStdin } from '../sources/ndjson-stdin.ts';

const paths = new WeakMap<object, string>();

/** `-` is stdin, a `.json` file is a JSON array, anything else an NDJSON file. `maxLineBytes` bounds NDJSON lines. */
export function inputSource(path: string, { maxLineBytes }: { maxLineBytes?: number } = {}): Source {
  const lines = maxLineBytes === undefined ? {} : { maxLineBytes };
  const source = path === '-' ? ndjsonStdin(lines) : extname(path) === '.json' ? jsonArrayFile(path) : ndjsonFile(path, lines);
  paths.set(source, path);
  return source;
}

/** The file extensions Sluice writes as NDJSON. */
export const NDJSON_EXTENSIONS: readonly string[] = ['.jsonl', '.ndjson', '.jsonlines'];

/**
 * Refuses an output file whose extension names a format Sluice does not write (`.json`, `.csv`,
 * `.parquet`…): writing NDJSON there would mislead whatever reads it.
 */
export function checkOutputExtension(path: string, where: string): void {
  const ext = extname(path).toLowerCase();
  if (ext === '' || NDJSON_EXTENSIONS.includes(ext)) return;
  throw new SluiceConfigError(
    `${where} \`${path}\` ends in \`${ext}\`, a format Sluice does not write. It writes NDJSON to files ending in ${NDJSON_EXTENSIONS.map((e) => `\`${e}\``).join(', ')} (or with no extension), one file per leaf into a folder (\`out/\`), or stdout (\`-\`).`,
  );
}

/** `-` is stdout, a path ending in `/` a folder with one file per leaf, anything else one NDJSON file. */
export function outputSink(path: string): Sink {
  if (path !== '-' && !path.endsWith('/')) checkOutputExtension(path, 'Output');
  const sink = path === '-' ? toStdout() : path.endsWith('/') ? toNdjsonDir(path) : toNdjsonFile(path);
  paths.set(sink, path);
  return sink;
}

/** The path a definition's source or sink was made from, if it was. */
export function ioPathOf(value: object | undefined): string | undefined {
  return value === undefined ? undefined : paths.get(value);
}
