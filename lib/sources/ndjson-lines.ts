/**
 * The NDJSON codec: bytes in, batches of `SourceItem`s out, one batch per input chunk.
 * Bad lines become failed items with their line number; reading always goes on.
 * Every NDJSON source (file, stdin, any Readable) is a thin layer over it.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { InputError, SluiceConfigError } from '../core/errors.ts';
import type { InputErrorCode } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { SourceItem } from '../core/source.ts';

export interface NdjsonLinesOptions {
  /**
   * The longest line accepted, in bytes before the newline (a CR of a CRLF included).
   * Longer lines become failed items and are never held whole in memory. Default 16 MiB.
   */
  maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
const REPLACEMENT = '\uFFFD';
/** Nesting deeper than this is a failed row (`SLUICE_INPUT_TOO_DEEP`): deeper rows could not be written back out. */
export const MAX_DEPTH = 1000;
const BLANK = /^[ \t\r]*$/;
/** Characters of a bad line kept in the failed item's `raw`. */
const RAW_CHARS = 200;
/** Bytes of an over-long line decoded for `raw`: enough for 200 characters of any width. */
const RAW_BYTES = 1024;

/**
 * Splits NDJSON input into lines and parses each as a JSON object.
 *
 * - LF and CRLF line ends; a last line without a newline; a UTF-8 BOM at the start.
 * - Blank lines are skipped but still counted, so positions are the 1-based line numbers an editor shows.
 * - A line that is not valid JSON, not a JSON object, not valid UTF-8, or longer than `maxLineBytes`
 *   becomes `{ ok: false, position, error: InputError, raw }` and reading goes on.
 *
 * It yields one batch per input chunk, so the chunk size bounds read-ahead. For speed it decodes
 * the complete lines of a chunk with one `toString` and splits the string; only a chunk that holds
 * invalid UTF-8, or whose lines add up to more than `maxLineBytes`, is taken line by line.
 *
 * Options are checked at the call, not on the first `next()`.
 *
 * @example
 * for await (const batch of ndjsonLines(createReadStream('in.jsonl', { highWaterMark: 1 << 20 }))) {
 *   for (const item of batch) {
 *     if (item.ok) console.log(item.position, item.row);
 *     else console.error(item.error.message); // "Line 17 is not valid JSON (…). Each line must hold one JSON object."
 *   }
 * }
 */
export function ndjsonLines(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  { maxLineBytes = 16 * 1024 * 1024 }: NdjsonLinesOptions = {},
): AsyncGenerator<SourceItem[]> {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new SluiceConfigError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${maxLineBytes}\``);
  }
  return decodeNdjson(input, maxLineBytes);
}

async function* decodeNdjson(input: AsyncIterable<Buffer | Uint8Array | string>, maxLineBytes: number): AsyncGenerator<SourceItem[]> {
  /** Number of the line being read (1-based). Blank lines count too. */
  let line = 1;
  /** Bytes of a line that started in an earlier chunk and has not ended yet (copies: callers may reuse buffers). */
  let tail: Buffer[] = [];
  let tailBytes = 0;
  /**
   * Set while inside a line over the limit: the line's first bytes (for `raw`). The rest of it is
   * dropped as it comes, so a 2 GiB line never takes 2 GiB; its failed item goes out at its newline.
   */
  let skipped: Buffer | undefined;

  for await (const chunk of input) {
    const buf = toBuffer(chunk);
    const end = buf.length;
    const out: SourceItem[] = [];
    let from = 0;

    if (skipped !== undefined || tailBytes > 0) {
      const nl = buf.indexOf(LF);
      const lineEnd = nl === -1 ? end : nl;
      if (skipped !== undefined) {
        if (skipped.length < RAW_BYTES) skipped = head([skipped, buf.subarray(0, lineEnd)]);
      } else if (tailBytes + lineEnd > maxLineBytes) {
        skipped = head([...tail, buf.subarray(0, lineEnd)]);
        tail = [];
        tailBytes = 0;
      } else if (nl === -1) {
        tail.push(Buffer.from(buf));
        tailBytes += end;
      } else {
        tail.push(buf.subarray(0, nl));
        const bytes = Buffer.concat(tail, tailBytes + nl);
        tail = [];
        tailBytes = 0;
        lineFromBytes(bytes, 0, bytes.length, line, maxLineBytes, out);
        line++;
      }
      if (nl === -1) continue;
      if (skipped !== undefined) {
        out.push(tooLong(line, skipped, maxLineBytes));
        skipped = undefined;
        line++;
      }
      from = nl + 1;
    }

    const last = buf.lastIndexOf(LF);
    if (last >= from) {
      line = linesFromRegion(buf, from, last, line, maxLineBytes, out);
      from = last + 1;
    }

    if (from < end) {
      if (end - from > maxLineBytes) {
        skipped = Buffer.from(buf.subarray(from, from + RAW_BYTES));
      } else {
        tail.push(Buffer.from(buf.subarray(from)));
        tailBytes = end - from;
      }
    }
    if (out.length > 0) yield out;
  }

  // The last line had no newline.
  if (skipped !== undefined) {
    yield [tooLong(line, skipped, maxLineBytes)];
  } else if (tailBytes > 0) {
    const out: SourceItem[] = [];
    const bytes = Buffer.concat(tail, tailBytes);
    lineFromBytes(bytes, 0, bytes.length, line, maxLineBytes, out);
    if (out.length > 0) yield out;
  }
}

/**
 * Reads the complete lines in `buf[from, last)`, where `buf[last]` is a newline.
 * Returns the number of the line after them.
 */
function linesFromRegion(buf: Buffer, from: number, last: number, line: number, maxLineBytes: number, out: SourceItem[]): number {
  // No line in a region can be longer than the region, and decoding only turns bytes into
  // U+FFFD when they are invalid (or were U+FFFD already: hence the isUtf8 check).
  if (last - from <= maxLineBytes) {
    const text = buf.toString('utf8', from, last);
    if (!text.includes(REPLACEMENT) || isUtf8(buf.subarray(from, last))) {
      for (const lineText of text.split('\n')) parseLine(lineText, line++, out);
      return line;
    }
  }
  // Slow path: take the lines one by one, so each can be measured and checked on its own bytes.
  let start = from;
  while (start <= last) {
    const nl = buf.indexOf(LF, start);
    lineFromBytes(buf, start, nl, line++, maxLineBytes, out);
    start = nl + 1;
  }
  return line;
}

/** Reads one line held in `bytes[start, end)` (the newline excluded). */
function lineFromBytes(bytes: Buffer, start: number, end: number, line: number, maxLineBytes: number, out: SourceItem[]): void {
  if (end - start > maxLineBytes) {
    out.push(tooLong(line, bytes.subarray(start, Math.min(end, start + RAW_BYTES)), maxLineBytes));
    return;
  }
  const text = bytes.toString('utf8', start, end);
  if (text.includes(REPLACEMENT)) {
    const lineBytes = bytes.subarray(start, end);
    if (!isUtf8(lineBytes)) {
      out.push(invalidUtf8(line, text, lineBytes));
      return;
    }
  }
  parseLine(text, line, out);
}

/** Parses one decoded line: skips it if blank, else yields a row or a failed item. */
function parseLine(text: string, line: number, out: SourceItem[]): void {
  if (text.length > 0 && text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1);
  if (line === 1 && text.charCodeAt(0) === BOM) text = text.slice(1);
  // Blank lines (empty, or only spaces and tabs) are skipped, as ndjson and jq do; they still took a
  // line number. Other whitespace (\f, \v, a no-break space) is not JSON's: such a line is a failed row.
  if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && BLANK.test(text))) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    out.push(failure('SLUICE_INPUT_INVALID_JSON', `Line ${line} is not valid JSON (${reason}). Each line must hold one JSON object.`, line, text));
    return;
  }
  // Nesting deeper than MAX_DEPTH could not be written again (JSON.stringify would overflow the stack).
  if (text.length > MAX_DEPTH * 2 && nestingDepth(text) > MAX_DEPTH) {
    out.push(failure('SLUICE_INPUT_TOO_DEEP', `Line ${line} nests objects and arrays more than ${MAX_DEPTH} levels deep, more than Sluice reads.`, line, text));
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(
      failure('SLUICE_INPUT_NOT_OBJECT', `Line ${line} holds ${describeJson(value)}, not a JSON object. Each line must hold one JSON object.`, line, text),
    );
    return;
  }
  out.push({ ok: true, row: value as Row, position: line });
}

/** The deepest nesting of objects and arrays in valid JSON `text` (brackets inside strings not counted). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // A backslash escapes the next character.
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

function tooLong(line: number, head: Buffer, maxLineBytes: number): SourceItem {
  return failure(
    'SLUICE_INPUT_LINE_TOO_LONG',
    `Line ${line} is longer than \`maxLineBytes\` (${maxLineBytes} bytes), so it was skipped. If lines this long are expected, raise the limit: \`--max-line-bytes\` on the command line, \`maxLineBytes:\` in a definition, or the source's \`maxLineBytes\` option.`,
    line,
    stripCr(head.toString('utf8')),
  );
}

function invalidUtf8(line: number, text: string, bytes: Buffer): SourceItem {
  const at = firstInvalidByte(text, bytes);
  const where = at === -1 ? '' : ` (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at offset ${at} of the line)`;
  return failure('SLUICE_INPUT_INVALID_UTF8', `Line ${line} is not valid UTF-8${where}. Save the input as UTF-8.`, line, stripCr(text));
}

/**
 * Finds the byte offset of the first invalid sequence. Everything before it decoded to the
 * same bytes, so the offset is the UTF-8 length of the text before the first U+FFFD that
 * does not stand for a literal EF BF BD in the input.
 */
function firstInvalidByte(text: string, bytes: Buffer): number {
  for (let i = text.indexOf(REPLACEMENT); i !== -1; i = text.indexOf(REPLACEMENT, i + 1)) {
    const at = Buffer.byteLength(text.slice(0, i));
    if (!(bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd)) return at;
  }
  return -1;
}

/** The first RAW_BYTES bytes of a line held in pieces, for its `raw`. */
function head(pieces: Buffer[]): Buffer {
  // Copies, so that a reused input buffer cannot change it later.
  const taken: Buffer[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    if (bytes >= RAW_BYTES) break;
    const part = piece.subarray(0, RAW_BYTES - bytes);
    taken.push(part);
    bytes += part.length;
  }
  return Buffer.concat(taken, bytes);
}

function failure(code: InputErrorCode, message: string, line: number, text: string): SourceItem {
  return { ok: false, position: line, error: new InputError(code, message, line), raw: cut(text) };
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? 'a number' : typeof value === 'string' ? 'a string' : 'a boolean';
}

/** Cuts to RAW_CHARS without splitting a surrogate pair. */
function cut(text: string): string {
  if (text.length <= RAW_CHARS) return text;
  const code = text.charCodeAt(RAW_CHARS - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? RAW_CHARS - 1 : RAW_CHARS);
}

function stripCr(text: string): string {
  return text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
