/**
 * A source over a file that holds one JSON array of objects (`[{…}, {…}]`), as many tools export,
 * read as a stream.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';
import type { z } from 'zod';
import { InputError, SluiceConfigError, type InputErrorCode } from '../core/errors.ts';
import { openInputBytes } from './input-bytes.ts';
import { MAX_DEPTH } from './ndjson-lines.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { checkedRows } from './checked-rows.ts';

export interface JsonArrayFileOptions<R extends object = Row> {
  /** Names the source in row ids (`items.json:3`) and in the summary. Default: the file's basename. */
  name?: string;
  /** Elements per batch. Default 256. */
  batchSize?: number;
  /** Checks (and types) each row; rows that do not match become failed rows. Without it, `R` is taken on trust. */
  schema?: z.ZodType<R>;
}

const RAW_CHARS = 200;

/**
 * Reads a JSON array of objects as a stream: the file is read in chunks and each element is cut
 * out by a byte scanner (depth and strings tracked; brackets, braces, quotes and commas are ASCII,
 * so UTF-8 needs no decoding to find them) and handed to `JSON.parse` on its own. Memory holds
 * one chunk and the element being read, whatever the file's size.
 *
 * Positions are 0-based array indexes. An element that is not a plain object, not valid JSON, not
 * valid UTF-8, or nested deeper than 1,000 levels becomes a failed item at its index, and reading
 * goes on. A file that is not an array becomes one failed item at position 0; an array that ends
 * early (a cut file) gives its elements, then a failed item where it broke off, so the run's counts
 * still add up. A missing file fails the read with a `SluiceError` coded `SLUICE_INPUT_NOT_FOUND`.
 *
 * @example
 * await pipeline('judge').from(jsonArrayFile('export.json')).pipe(…).to(toNdjsonFile('judged.jsonl')).run();
 */
export function jsonArrayFile<R extends object = Row>(
  path: string,
  { name = basename(path), batchSize = 256, schema }: JsonArrayFileOptions<R> = {},
): Source<R> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SluiceConfigError(`Expected \`batchSize\` to be an integer from 1 and up, got \`${batchSize}\``);
  }
  const source: Source = {
    name,
    path,
    positions: 'index',
    read(signal) {
      return readJsonArray(path, signal, batchSize);
    },
  };
  return checkedRows(source, schema);
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

async function* readJsonArray(path: string, signal: AbortSignal, batchSize: number): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  const stream = openInputBytes(path, signal);
  let state: 'start' | 'between' | 'element' | 'end' = 'start';
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let escaped = false;
  let pieces: Buffer[] = [];
  let index = 0;
  let offset = 0; // Bytes of the file before this chunk, for messages.
  let batch: SourceItem[] = [];
  let head: Buffer | undefined; // The first bytes, for a file-level failure's raw text.

  const finishElement = (chunk: Buffer, from: number, to: number) => {
    pieces.push(chunk.subarray(from, to));
    batch.push(element(Buffer.concat(pieces), index++, deepest, path));
    pieces = [];
    depth = 0;
    deepest = 0;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      head ??= chunk.subarray(0, RAW_CHARS * 4);
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (state === 'element') {
          if (inString) {
            if (escaped) escaped = false;
            else if (byte === BACKSLASH) escaped = true;
            else if (byte === QUOTE) inString = false;
          } else if (byte === QUOTE) inString = true;
          else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
            if (++depth > deepest) deepest = depth;
          } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
            if (depth === 0) {
              // A scalar element ends at the array's closing bracket.
              finishElement(chunk, from, i);
              state = byte === CLOSE_ARRAY ? 'end' : 'between';
            } else if (--depth === 0) {
              finishElement(chunk, from, i + 1);
              state = 'between';
            }
          } else if (byte === COMMA && depth === 0) {
            finishElement(chunk, from, i);
            state = 'between';
          }
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
            if (signal.aborted) return;
          }
        } else if (state === 'between') {
          if (isSpace(byte) || byte === COMMA) continue;
          if (byte === CLOSE_ARRAY) {
            state = 'end';
            continue;
          }
          state = 'element';
          from = i;
          i--; // Read this byte again as the element's first.
        } else if (state === 'start') {
          if (isSpace(byte) || (offset + i < 3 && (byte === 0xef || byte === 0xbb || byte === 0xbf))) continue; // Whitespace, a UTF-8 BOM.
          if (byte !== OPEN_ARRAY) {
            const what = byte === OPEN_OBJECT ? 'an object' : 'something other than an array';
            yield [
              fileFailure(
                'SLUICE_INPUT_SCHEMA',
                `File \`${path}\` holds ${what}, not a JSON array. It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
                head.toString('utf8'),
              ),
            ];
            return;
          }
          state = 'between';
        } else if (!isSpace(byte)) {
          batch.push(
            failureAt(
              index,
              'SLUICE_INPUT_INVALID_JSON',
              `File \`${path}\` goes on after its array closed (byte ${offset + i}). It must hold one JSON array of objects.`,
              chunk.subarray(i, i + RAW_CHARS).toString('utf8'),
            ),
          );
          yield batch;
          return;
        }
      }
      if (state === 'element') pieces.push(chunk.subarray(from));
      offset += chunk.length;
      if (batch.length >= batchSize || (batch.length > 0 && state !== 'element')) {
        yield batch;
        batch = [];
      }
      if (signal.aborted) return;
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  if (state === 'start') {
    batch.push(
      fileFailure(
        'SLUICE_INPUT_INVALID_JSON',
        `File \`${path}\` is not valid JSON (it is empty). It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
        '',
      ),
    );
  } else if ((state as string) !== 'end') {
    const rest = Buffer.concat(pieces).toString('utf8');
    batch.push(
      failureAt(
        index,
        'SLUICE_INPUT_INVALID_JSON',
        `File \`${path}\` is not valid JSON (it ends before its array closes, after ${index} element${index === 1 ? '' : 's'}). It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
        rest,
      ),
    );
  }
  if (batch.length > 0) yield batch;
}

/** One element's bytes as a row, or as a failed item saying why not. */
function element(bytes: Buffer, index: number, deepest: number, path: string): SourceItem {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isUtf8(bytes)) {
    return failureAt(index, 'SLUICE_INPUT_INVALID_UTF8', `Element ${index} of \`${path}\` is not valid UTF-8. Save the file as UTF-8.`, text);
  }
  if (deepest > MAX_DEPTH) {
    return failureAt(
      index,
      'SLUICE_INPUT_TOO_DEEP',
      `Element ${index} of \`${path}\` nests objects and arrays more than ${MAX_DEPTH} levels deep, more than Sluice reads.`,
      text,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failureAt(
      index,
      'SLUICE_INPUT_INVALID_JSON',
      `Element ${index} of \`${path}\` is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      text,
    );
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, row: value as Row, position: index };
  return failureAt(
    index,
    'SLUICE_INPUT_NOT_OBJECT',
    `Element ${index} of \`${path}\` is ${describe(value)}, not a JSON object. Each element must be one JSON object.`,
    text,
  );
}

function failureAt(index: number, code: InputErrorCode, message: string, text: string): SourceItem {
  return { ok: false, position: index, error: new InputError(code, message), raw: text.slice(0, RAW_CHARS) };
}

function fileFailure(code: 'SLUICE_INPUT_INVALID_UTF8' | 'SLUICE_INPUT_INVALID_JSON' | 'SLUICE_INPUT_SCHEMA', message: string, text: string): SourceItem {
  return { ok: false, position: 0, error: new InputError(code, message), raw: text.slice(0, RAW_CHARS) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'number' ? 'a number' : typeof value === 'string' ? 'a string' : 'a boolean';
}
