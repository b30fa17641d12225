/**
 * What a run did with the batch API, kept in its run directory (`batches/<llm>.jsonl`), one line
 * per step of each part's life: its request file written, uploaded (the file id), submitted (the
 * batch id), done. Each line is appended before the step after it begins, so a `kill -9` at any
 * moment leaves a record that says what exists at the provider: a resumed run polls and downloads
 * what was submitted, and never submits a part twice. Without a run directory it lives in memory.
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export interface PartRecord {
  readonly part: number;
  /** The request file, relative to the ledger's folder. */
  readonly file: string;
  readonly endpoint: string;
  readonly requests: number;
  fileId?: string;
  batchId?: string;
  /** The batch's end state once its results were taken (`completed`, `expired`…). */
  ended?: string;
}

type LedgerLine =
  | { readonly run: string; readonly llm: string; readonly endpoint: string }
  | ({ readonly part: number; readonly state: 'written' } & Omit<PartRecord, 'fileId' | 'batchId' | 'ended'>)
  | { readonly part: number; readonly state: 'uploaded'; readonly fileId: string }
  | { readonly part: number; readonly state: 'submitted'; readonly batchId: string }
  | { readonly part: number; readonly state: 'ended'; readonly status: string };

export class BatchLedger {
  /** Where request files go. */
  readonly folder: string;
  /** Tags this run's batches at the provider (`metadata.sluice_run`), to find one whose id was never recorded. */
  readonly runKey: string;
  readonly parts = new Map<number, PartRecord>();
  readonly #path: string | undefined;

  constructor(folder: string, llm: string, endpoint: string, persistent: boolean) {
    this.folder = folder;
    mkdirSync(folder, { recursive: true });
    this.#path = persistent ? join(folder, `${fileSafe(llm)}.jsonl`) : undefined;
    const earlier = this.#path ? BatchLedger.read(this.#path) : undefined;
    for (const [part, record] of earlier?.parts ?? []) this.parts.set(part, record);
    this.runKey = earlier?.header?.run ?? randomUUID();
    if (earlier?.header === undefined) this.#append({ run: this.runKey, llm, endpoint });
  }

  /** The ledgers in a run's batch folder (one per LLM), beside their request and result files. */
  static files(folder: string): string[] {
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((file) => file.endsWith('.jsonl') && !file.endsWith('.requests.jsonl') && !file.endsWith('.results.jsonl'))
      .sort()
      .map((file) => join(folder, file));
  }

  /** What a ledger file records: its header (run key, LLM, endpoint) and each part's state. */
  static read(path: string): { header?: { run: string; llm: string; endpoint: string }; parts: Map<number, PartRecord> } {
    const parts = new Map<number, PartRecord>();
    let header: { run: string; llm: string; endpoint: string } | undefined;
    if (!existsSync(path)) return { parts };
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      let line: LedgerLine;
      try {
        line = JSON.parse(text) as LedgerLine;
      } catch {
        continue; // A line torn by a kill: the step it records had not begun.
      }
      if ('run' in line) header = line;
      else applyLine(parts, line);
    }
    return header ? { header, parts } : { parts };
  }

  /** The next part's number. */
  nextPart(): number {
    return Math.max(0, ...this.parts.keys()) + 1;
  }

  /** The request file name of a part. */
  fileOf(llm: string, part: number): string {
    return `${fileSafe(llm)}-${String(part).padStart(5, '0')}.requests.jsonl`;
  }

  written(record: PartRecord): void {
    this.#record({ part: record.part, state: 'written', file: record.file, endpoint: record.endpoint, requests: record.requests });
  }

  uploaded(part: number, fileId: string): void {
    this.#record({ part, state: 'uploaded', fileId });
  }

  submitted(part: number, batchId: string): void {
    this.#record({ part, state: 'submitted', batchId });
  }

  ended(part: number, status: string): void {
    this.#record({ part, state: 'ended', status });
  }

  #record(line: Exclude<LedgerLine, { run: string }>): void {
    this.#append(line);
    applyLine(this.parts, line);
  }

  /** Appended synchronously: the line is in the file before the caller takes the next step. */
  #append(line: LedgerLine): void {
    if (this.#path) appendFileSync(this.#path, `${JSON.stringify(line)}\n`);
  }
}

/** One step of a part's life, applied to the parts recorded so far. */
function applyLine(parts: Map<number, PartRecord>, line: Exclude<LedgerLine, { run: string }>): void {
  if (line.state === 'written') parts.set(line.part, { part: line.part, file: line.file, endpoint: line.endpoint, requests: line.requests });
  const record = parts.get(line.part);
  if (!record) return;
  if (line.state === 'uploaded') record.fileId = line.fileId;
  if (line.state === 'submitted') record.batchId = line.batchId;
  if (line.state === 'ended') record.ended = line.status;
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
