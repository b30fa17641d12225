/**
 * A source over a file that holds one JSON array of objects (`[{…}, {…}]`), as many tools export.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InputError, InputNotFoundError, SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from './source.ts';

export interface JsonArrayFileOptions {
  /** Names the source in row ids (`items.json:3`) and in the summary. Default: the file's basename. */
  name?: string;
  /** Elements per batch. Default 256. */
  batchSize?: number;
}

const RAW_CHARS = 200;

/**
 * Reads a JSON array of objects. **It holds the whole file in memory** (JSON arrays cannot be
 * parsed in pieces with `JSON.parse`), so for big inputs prefer NDJSON and `ndjsonFile`.
 *
 * Positions are 0-based array indexes. An element that is not a plain object becomes a failed
 * item (`SLUICE_INPUT_NOT_OBJECT`) at its index. A file that is not valid UTF-8, not valid JSON,
 * or not an array becomes one failed item at position 0, so the run's counts still add up.
 * A missing file fails the read with a `SluiceError` coded `SLUICE_INPUT_NOT_FOUND`.
 *
 * @example
 * await pipeline('judge').from(jsonArrayFile('export.json')).pipe(…).to(toNdjsonFile('judged.jsonl')).run();
 */
export function jsonArrayFile(path: string, { name = basename(path), batchSize = 256 }: JsonArrayFileOptions = {}): Source {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SluiceConfigError(`Expected \`batchSize\` to be an integer from 1 and up, got \`${batchSize}\``);
  }
  return {
    name,
    path,
    positions: 'index',
    read(signal) {
      return readJsonArray(path, signal, batchSize);
    },
  };
}

async function* readJsonArray(path: string, signal: AbortSignal, batchSize: number): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  let bytes: Buffer;
  try {
    bytes = await readFile(path, { signal });
  } catch (error) {
    if (signal.aborted) return;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputNotFoundError(
        `Input file \`${path}\` was not found (looked for ${resolve(path)}). Check the path, and that it is relative to the working directory ${process.cwd()}.`,
        { cause: error },
      );
    }
    throw error;
  }

  let text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isUtf8(bytes)) {
    yield [fileFailure('SLUICE_INPUT_INVALID_UTF8', `File \`${path}\` is not valid UTF-8. Save it as UTF-8.`, text)];
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    yield [fileFailure(
      'SLUICE_INPUT_INVALID_JSON',
      `File \`${path}\` is not valid JSON (${reason}). It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
      text,
    )];
    return;
  }
  if (!Array.isArray(value)) {
    yield [fileFailure(
      'SLUICE_INPUT_SCHEMA',
      `File \`${path}\` holds ${describe(value)}, not a JSON array. It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
      text,
    )];
    return;
  }
  // Free the text before handing out rows; only the parsed array stays.
  text = '';

  for (let start = 0; start < value.length; start += batchSize) {
    if (signal.aborted) return;
    const batch: SourceItem[] = [];
    const stop = Math.min(start + batchSize, value.length);
    for (let index = start; index < stop; index++) {
      const element: unknown = value[index];
      if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
        batch.push({ ok: true, row: element as Row, position: index });
      } else {
        batch.push({
          ok: false,
          position: index,
          error: new InputError(
            'SLUICE_INPUT_NOT_OBJECT',
            `Element ${index} of \`${path}\` is ${describe(element)}, not a JSON object. Each element must be one JSON object.`,
          ),
          raw: JSON.stringify(element).slice(0, RAW_CHARS),
        });
      }
    }
    yield batch;
  }
}

function fileFailure(code: 'SLUICE_INPUT_INVALID_UTF8' | 'SLUICE_INPUT_INVALID_JSON' | 'SLUICE_INPUT_SCHEMA', message: string, text: string): SourceItem {
  return { ok: false, position: 0, error: new InputError(code, message), raw: text.slice(0, RAW_CHARS) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'number' ? 'a number' : typeof value === 'string' ? 'a string' : 'a boolean';
}
