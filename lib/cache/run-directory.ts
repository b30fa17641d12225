/**
 * The run directory: what a run was, how far it got, and what resume needs.
 *
 *   run.json         the pipeline's definition and parameters, the command, start and end, status,
 *                    and the summary (per-step counts and timings, LLM usage and cost, cache counters)
 *   done.log         the done-ledger: one finished source record id per line, appended as records finish
 *   written/*.ids    one line per line of each output file (and the failed-rows file): the source
 *                    record ids that line came from, so resume can drop the lines of unfinished records
 *
 * A record is written to done.log only after every line it produced is in both the output file and
 * its `.ids` file, so after a `kill -9` the ledger never claims more than the files hold.
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { NdjsonWriter } from '../sinks/ndjson-writer.ts';
import type { RunSummary } from '../core/summary.ts';
import { canonicalJson } from './canonical-json.ts';
import { completeLines } from './line-reader.ts';

export interface RunInfo {
  pipeline: string;
  definition: unknown;
  command?: readonly string[];
  input?: string;
  outputs?: unknown;
  failedPath?: string;
}

export interface RunRecord extends RunInfo {
  version: 1;
  definitionHash: string;
  status: 'running' | RunSummary['status'];
  startedAt: string;
  endedAt?: string;
  resumes: number;
  summary?: RunSummary;
}

const FINISHED = new Set(['ok', 'failed-rows']);
const noop = () => {};

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

export class RunDirectory {
  readonly dir: string;
  /** True when this run continues an unfinished one. */
  readonly resuming: boolean;
  /** Records finished by earlier attempts. */
  readonly done: ReadonlySet<string>;
  /** Output lines dropped by the repair (they belonged to unfinished records). */
  readonly dropped: number;
  #record: RunRecord;
  #ledger: NdjsonWriter;
  #sidecars = new Map<string, NdjsonWriter>();
  #known = new Set<string>();

  private constructor(dir: string, record: RunRecord, done: Set<string>, resuming: boolean, dropped: number) {
    this.dir = dir;
    this.#record = record;
    this.done = done;
    this.resuming = resuming;
    this.dropped = dropped;
    this.#ledger = new NdjsonWriter(createWriteStream(join(dir, 'done.log'), { flags: 'a' }));
  }

  /** Opens `dir`: resumes an unfinished run of the same definition, or starts a new one. */
  static async open(dir: string, info: RunInfo): Promise<RunDirectory> {
    await mkdir(join(dir, 'written'), { recursive: true });
    const definitionHash = createHash('sha256').update(canonicalJson(info.definition)).digest('hex');
    let previous: RunRecord | undefined;
    try {
      previous = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunRecord;
    } catch {
      previous = undefined;
    }
    const resuming = previous !== undefined && !FINISHED.has(previous.status) && previous.definitionHash === definitionHash;
    const done = new Set<string>();
    let dropped = 0;
    if (resuming) {
      for await (const line of completeLines(join(dir, 'done.log'))) {
        if (line !== '') done.add((JSON.parse(line) as { id: string }).id);
      }
      dropped = await repairOutputs(join(dir, 'written'), done);
      // Rewrite the ledger without a torn last line, so appends start on a line of their own.
      await writeAtomically(join(dir, 'done.log'), [...done].map((id) => `${JSON.stringify({ id })}\n`).join(''));
    } else {
      await rm(join(dir, 'done.log'), { force: true });
      await rm(join(dir, 'written'), { recursive: true, force: true });
      await mkdir(join(dir, 'written'), { recursive: true });
    }
    const record: RunRecord = {
      version: 1,
      ...info,
      definitionHash,
      status: 'running',
      startedAt: resuming ? previous!.startedAt : new Date().toISOString(),
      resumes: resuming ? previous!.resumes + 1 : 0,
    };
    await writeAtomically(join(dir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    const opened = new RunDirectory(dir, record, done, resuming, dropped);
    await opened.loadKnown();
    return opened;
  }

  isDone(id: string): boolean {
    return this.done.has(id);
  }

  /** Appends a finished record to the ledger. */
  markDone(id: string): void {
    this.#ledger.write({ id }, noop);
  }

  /** Records, in step with an output file, the source records each of its lines came from. */
  lineage(file: string, ids: readonly string[], done: (error?: Error | null) => void): void {
    let sidecar = this.#sidecars.get(file);
    if (!sidecar) {
      const name = `${createHash('sha256').update(file).digest('hex').slice(0, 16)}.ids`;
      sidecar = new NdjsonWriter(createWriteStream(join(this.dir, 'written', name), { flags: 'a' }));
      // The header names the file; it is written once, when the sidecar is new.
      if (!this.#known.has(name)) sidecar.write({ file }, noop);
      this.#sidecars.set(file, sidecar);
    }
    sidecar.write({ ids }, done);
  }

  /** Notes the sidecars that already exist (resumed runs append to them). */
  async loadKnown(): Promise<void> {
    for (const name of await readdir(join(this.dir, 'written'))) this.#known.add(name);
  }

  /** Flushes the ledger and sidecars and records the end of the run. */
  async finish(summary: RunSummary): Promise<void> {
    await Promise.allSettled([this.#ledger.close(), ...[...this.#sidecars.values()].map((s) => s.close())]);
    this.#record = { ...this.#record, status: summary.status, endedAt: summary.endedAt, summary };
    await writeAtomically(join(this.dir, 'run.json'), `${JSON.stringify(this.#record, null, 2)}\n`);
  }
}

/**
 * Cuts every output file back to the lines whose source records are all done, and its sidecar
 * with it. Lines past the shorter of the two (a crash between the two writes) are dropped too:
 * their records cannot be in the ledger yet.
 */
async function repairOutputs(written: string, done: ReadonlySet<string>): Promise<number> {
  let dropped = 0;
  for (const name of await readdir(written)) {
    if (!name.endsWith('.ids')) continue;
    const sidecarPath = join(written, name);
    const lineages = completeLines(sidecarPath);
    const header = await lineages.next();
    if (header.done) continue;
    const file = (JSON.parse(header.value) as { file: string }).file;
    const keptData = createWriteStream(`${file}.repair.tmp`);
    const keptIds = createWriteStream(`${sidecarPath}.repair.tmp`);
    keptIds.write(`${header.value}\n`);
    const data = completeLines(file);
    for (;;) {
      const [line, ids] = await Promise.all([data.next(), lineages.next()]);
      if (line.done || ids.done) {
        if (!line.done) dropped++;
        if (!line.done) for await (const _ of data) dropped++;
        break;
      }
      const lineage = (JSON.parse(ids.value) as { ids: string[] }).ids;
      if (lineage.every((id) => done.has(id))) {
        if (!keptData.write(`${line.value}\n`)) await once(keptData, 'drain');
        keptIds.write(`${ids.value}\n`);
      } else {
        dropped++;
      }
    }
    await Promise.all([new Promise((r) => keptData.end(r)), new Promise((r) => keptIds.end(r))]);
    await rename(`${file}.repair.tmp`, file);
    await rename(`${sidecarPath}.repair.tmp`, sidecarPath);
  }
  return dropped;
}
