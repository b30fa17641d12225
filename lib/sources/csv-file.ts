/**
 * A CSV or TSV source, on `csv-parse`: a header row names the columns; quoting, a BOM and CRLF
 * are handled; a malformed record becomes a failed item at its line and reading goes on.
 * @module
 */
import { basename } from 'node:path';
import { type CsvError, type Info, parse } from 'csv-parse';
import type { z } from 'zod';
import { InputError, SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import { setOwn } from '../core/set-own.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { checkedRows } from './checked-rows.ts';
import { compressionOf, openInputBytes } from './input-bytes.ts';

export interface CsvFileOptions<R extends object = Row> {
  /** Names the source in row ids (`data.csv:17`). Default: the file's basename. */
  name?: string;
  /** The field delimiter. Default `,`, or a tab for `.tsv` files. */
  delimiter?: string;
  /**
   * Turns fields into numbers, `true`/`false`, `null` (an empty field) and, for fields that hold a
   * JSON object or list (as Sluice writes nested values), that value. Default true; `false` keeps
   * every field a string.
   */
  infer?: boolean;
  /** Checks (and types) each row after inference; rows that do not match become failed rows. */
  schema?: z.ZodType<R>;
  /** Records per batch. Default 256. */
  batchSize?: number;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const RAW_CHARS = 200;

/** What a field holds, read as simply as a spreadsheet would. */
export function inferValue(field: string): unknown {
  if (field === '') return null;
  if (NUMBER.test(field)) {
    const n = Number(field);
    // Keep digits a number cannot hold exactly (ids, phone numbers) as text.
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(field) ? n : field;
  }
  if (field === 'true') return true;
  if (field === 'false') return false;
  const first = field[0];
  if ((first === '{' && field.endsWith('}')) || (first === '[' && field.endsWith(']'))) {
    try {
      return JSON.parse(field);
    } catch {
      return field;
    }
  }
  return field;
}

/**
 * Reads a CSV file (or TSV: `.tsv`, or `delimiter: '\t'`) whose first row names the columns.
 * Positions are line numbers (the header is line 1). Reads `.gz`/`.zst` files and URLs too.
 * @example
 * pipeline('p').from(csvFile<{ question: string; votes: number }>('questions.csv')).pipe(…)
 */
export function csvFile<R extends object = Row>(location: string, options: CsvFileOptions<R> = {}): Source<R> {
  const [plain] = compressionOf(location);
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(plain) ? '\t' : ',');
  if (typeof delimiter !== 'string' || delimiter.length === 0) {
    throw new SluiceConfigError(`Expected \`delimiter\` to be a non-empty string, got \`${String(delimiter)}\``);
  }
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SluiceConfigError(`Expected \`batchSize\` to be an integer from 1 and up, got \`${batchSize}\``);
  const infer = options.infer ?? true;
  const name = options.name ?? basename(plain);
  const source: Source = {
    name,
    path: location,
    read: (signal) => readCsv(location, signal, { delimiter, infer, batchSize }),
  };
  return checkedRows(source, options.schema);
}

async function* readCsv(
  location: string,
  signal: AbortSignal,
  options: { delimiter: string; infer: boolean; batchSize: number },
): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  const failures: SourceItem[] = [];
  const parser = parse({
    delimiter: options.delimiter,
    columns: (header: string[]) => header.map((column) => column.trim()),
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw?: string) => {
      if (!error) return;
      const lines = (error as unknown as { lines?: unknown }).lines;
      // `lines` is where the parser noticed; the record started as many lines earlier as it spans.
      // Where the record started: `lines` is where the parser stopped. A record over several lines
      // started as many lines earlier. An unclosed quote runs to the end of the input, and inside it
      // csv-parse counts a CRLF as two lines (measured: csv-parse 6.2).
      const newlines = raw?.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0;
      const crlf = raw?.match(/\r\n/g)?.length ?? 0;
      const lf = (raw?.match(/\n/g)?.length ?? 0) - crlf;
      const spans = error.code === 'CSV_QUOTE_NOT_CLOSED' ? Math.max(0, 2 * crlf + lf - 1) : newlines;
      const line = typeof lines === 'number' ? lines - spans : 0;
      failures.push({
        ok: false,
        position: line,
        error: new InputError('SLUICE_INPUT_CSV', `Line ${line} is not a valid CSV record: ${error.message.replace(/ (on|at) line \d+\.?$/, '')}.`, line),
        ...(raw !== undefined ? { raw: raw.replace(/[\r\n]+$/, '').slice(0, RAW_CHARS) } : {}),
      });
    },
  });
  const input = openInputBytes(location, signal);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let batch: SourceItem[] = [];
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{ record: Record<string, string>; info: Info; raw: string }>) {
      if (failures.length > 0) batch.push(...failures.splice(0));
      const row: Record<string, unknown> = {};
      // Columns come from data: `__proto__` is a column like any other.
      for (const [column, field] of Object.entries(record)) setOwn(row, column, options.infer ? inferValue(field) : field);
      // `info.lines` is the record's last line: a quoted field can span lines, and the record starts earlier.
      const newlines = raw.replace(/\r?\n$/, '').split('\n').length - 1;
      batch.push({ ok: true, row, position: info.lines - newlines });
      if (batch.length >= options.batchSize) {
        yield batch.sort(byPosition);
        batch = [];
      }
      if (signal.aborted) return;
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  } finally {
    input.destroy();
  }
  batch.push(...failures.splice(0));
  if (batch.length > 0) yield batch.sort(byPosition);
}

const byPosition = (a: SourceItem, b: SourceItem) => a.position - b.position;
