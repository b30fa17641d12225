/**
 * The run directory: what a run was, how far it got, and what resume needs.
 *
 *   run.json         the pipeline's definition and parameters, the command, start and end, status,
 *                    and the summary (per-step counts and timings, LLM usage and cost, cache counters)
 *   done.log         the done-ledger: one finished source record id per line, appended as records finish
 *   written/*.ids    one line per line of each output file (and the failed-rows file): the source
 *                    record ids that line came from, so resume can drop the lines of unfinished records
 *   staging/         line copies of the outputs written whole (Parquet, CSV, JSON arrays, compressed
 *                    files), repaired like NDJSON outputs and rebuilt from on resume; removed when the
 *                    run finishes
 *   run.lock         who runs in this directory now (pid, host, start): one run at a time
 *   pipeline.yaml    the definition the run used, when it can be saved as one: `sluice run <dir>` replays it
 *
 * Before resuming, the run's fingerprint is compared with the unfinished one: the pipeline's
 * definition, its code (a hash of the module and its local imports), each input file (size and
 * content hash) and the output paths. On a difference, resume refuses and says how to start over
 * (`restart`) or continue deliberately (`acceptChanges`).
 *
 * A record is written to done.log only after every line it produced is in both the output file and
 * its `.ids` file, so after a `kill -9` the ledger never claims more than the files hold.
 * @module
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { NdjsonWriter } from '../sinks/ndjson-writer.ts';
import { SluiceError } from '../core/errors.ts';
import type { RunSummary } from '../core/summary.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { keptSteps } from '../core/kept-steps.ts';
import { stagingPaths } from '../core/staging-paths.ts';
import type { FileFingerprint } from './file-fingerprint.ts';
import { completeLines } from './line-reader.ts';

export interface RunInfo {
  pipeline: string;
  definition: unknown;
  command?: readonly string[];
  input?: string;
  outputs?: unknown;
  failedPath?: string;
  /** What resume compares: the inputs' fingerprints and the code's hash (the definition and outputs are compared too). */
  fingerprint?: { inputs?: readonly FileFingerprint[]; code?: string };
  /** More fields for run.json (the working directory, the LLMs and their parameters), for replaying the run. */
  extra?: Readonly<Record<string, unknown>>;
  /** The pipeline's definition as YAML, written to `pipeline.yaml`: what `sluice run <dir>` replays. */
  definitionYaml?: string;
}

export interface OpenOptions {
  /** Start over even when an unfinished run is there: its ledger and lineage are dropped, the outputs rewritten. */
  restart?: boolean;
  /** Resume although the pipeline, its code, its inputs or its outputs changed since the run started. */
  acceptChanges?: boolean;
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

/** A run directory that cannot be resumed as it is. */
export class RunDirectoryError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.RunDirectoryError');
  override name = 'RunDirectoryError';
  override readonly code = 'SLUICE_RUN_DIR';
}

/** What differs between the unfinished run and this one, in words; empty when nothing does. */
function changesSince(previous: RunRecord, info: RunInfo, definitionHash: string): string[] {
  const changes: string[] = [];
  if (previous.definitionHash !== definitionHash) changes.push("the pipeline's steps or parameters changed");
  const before = previous.fingerprint;
  const now = info.fingerprint;
  if (before?.code !== undefined && now?.code !== undefined && before.code !== now.code) changes.push("the pipeline's code changed");
  for (const input of now?.inputs ?? []) {
    const old = before?.inputs?.find((i) => i.path === input.path);
    if (!old) {
      if (before?.inputs?.length) changes.push(`the input is now ${input.path}, not ${before.inputs.map((i) => i.path).join(', ')}`);
    } else if (old.size !== input.size || old.sha256 !== input.sha256) {
      changes.push(`the input ${input.path} changed (${old.size} bytes then, ${input.size} now)`);
    }
  }
  const outputs = (o: unknown) =>
    JSON.stringify(
      Object.values((o ?? {}) as Record<string, unknown>)
        .map(String)
        .sort(),
    );
  if (previous.outputs !== undefined && outputs(previous.outputs) !== outputs(info.outputs)) {
    changes.push(
      `the outputs are now ${Object.values((info.outputs ?? {}) as Record<string, unknown>).join(', ')}, not ${Object.values(previous.outputs as Record<string, unknown>).join(', ')}`,
    );
  }
  return changes;
}

/** Run directories this process holds (two runs in one process are refused too). */
const held = new Set<string>();

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Takes `run.lock`, created exclusively. A lock whose process is gone (a `kill -9`) is stale and
 * taken over; one held by a live process, or on another host, is refused with who holds it.
 */
async function takeLock(dir: string): Promise<void> {
  const path = join(dir, 'run.lock');
  const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      await writeFile(path, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      held.add(resolve(dir));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    } catch {
      holder = undefined; // Torn or gone: stale.
    }
    const live = holder !== undefined && (holder.host !== mine.host || (holder.pid === process.pid ? held.has(resolve(dir)) : alive(holder.pid)));
    if (holder && live) {
      const where = holder.host === mine.host ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
      throw new RunDirectoryError(
        `The run directory ${dir} is in use by ${where} since ${holder.startedAt}. Wait for that run to end, or stop it; ` +
          `if it is gone${holder.host === mine.host ? '' : ' (another host cannot be checked from here)'}, remove ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
  throw new RunDirectoryError(`Could not lock the run directory ${dir}: another run keeps taking it. Run one at a time.`);
}

async function releaseLock(dir: string): Promise<void> {
  const path = join(dir, 'run.lock');
  if (!held.delete(resolve(dir))) return;
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    if (holder.pid === process.pid && holder.host === hostname()) await rm(path, { force: true });
  } catch {
    // Not ours, or already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A process killed with `kill -9` keeps its pid until its parent reaps it (at once, or never in a
 * container whose first process reaps nothing): on Linux, its state in `/proc` says it is dead.
 */
function zombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold any character.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/**
 * Every output of the unfinished run that holds lines must still have its sidecar: without it,
 * resume cannot tell the lines of finished records from the others, and would duplicate some.
 */
async function checkSidecars(dir: string, previous: RunRecord): Promise<void> {
  const outputs = [...Object.values((previous.outputs ?? {}) as Record<string, unknown>), previous.failedPath].filter(
    (f): f is string => typeof f === 'string',
  );
  const files: string[] = [];
  for (const output of outputs) {
    try {
      // A folder output: each of its leaf files, and those of its subfolders (a dataset folder's configs).
      if ((await stat(output)).isDirectory()) files.push(...((await readdir(output, { recursive: true })) as string[]).map((name) => join(output, name)));
      else files.push(output);
    } catch {
      // Not there: nothing to repair.
    }
  }
  // The line copies of files written whole: the files are rebuilt from them, so it is the copies that need their sidecars.
  const staging = stagingPaths.root(dir);
  if (existsSync(staging)) files.push(...((await readdir(staging, { recursive: true })) as string[]).map((name) => join(staging, name)));
  for (const file of files) {
    let size = 0;
    try {
      const about = await stat(file);
      if (about.isDirectory()) continue;
      size = about.size;
    } catch {
      continue;
    }
    // A folder of files written whole, with copies in staging/: the copies decide what its files keep.
    if (existsSync(stagingPaths.folder(staging, dirname(file)))) continue;
    if (size === 0 || existsSync(join(dir, 'written', sidecarName(file)))) continue;
    throw new RunDirectoryError(
      `Cannot resume the run in ${dir}: it has no record of which lines of ${file} are finished (written/${sidecarName(file)} is gone), ` +
        `so resuming could duplicate rows. Start over: remove ${dir} and ${file}, or run with another --run-dir.`,
    );
  }
}
const noop = () => {};

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    // A full disk must not leave a half-written temporary file behind.
    await rm(temporary, { force: true });
    throw error;
  }
}

export class RunDirectory {
  readonly dir: string;
  readonly staging: string;
  /** True when this run continues an unfinished one. */
  readonly resuming: boolean;
  /** Records finished by earlier attempts. */
  readonly done: ReadonlySet<string>;
  /** Output lines dropped by the repair (they belonged to unfinished records). */
  readonly dropped: number;
  #record: RunRecord;
  #ledger: NdjsonWriter;
  #sidecars = new Map<string, NdjsonWriter>();
  /** `steps/<step>.jsonl`: the rows of the steps a run keeps. */
  #kept = new Map<string, NdjsonWriter>();
  #console: WriteStream | undefined;
  #known = new Set<string>();

  private constructor(dir: string, record: RunRecord, done: Set<string>, resuming: boolean, dropped: number) {
    this.dir = dir;
    this.staging = stagingPaths.root(dir);
    this.#record = record;
    this.done = done;
    this.resuming = resuming;
    this.dropped = dropped;
    this.#ledger = new NdjsonWriter(createWriteStream(join(dir, 'done.log'), { flags: 'a' }));
  }

  /**
   * Opens `dir` and locks it for this run: resumes an unfinished run of the same pipeline, inputs
   * and outputs, or starts a new one (when the last run finished, or with `restart`). Refuses an
   * unfinished run that changed, and a directory another live process holds.
   */
  static async open(dir: string, info: RunInfo, options: OpenOptions = {}): Promise<RunDirectory> {
    await mkdir(join(dir, 'written'), { recursive: true });
    await takeLock(dir);
    try {
      return await RunDirectory.#open(dir, info, options);
    } catch (error) {
      await releaseLock(dir);
      throw error;
    }
  }

  static async #open(dir: string, info: RunInfo, options: OpenOptions): Promise<RunDirectory> {
    const definitionHash = createHash('sha256').update(canonicalJson(info.definition)).digest('hex');
    let previous: RunRecord | undefined;
    try {
      previous = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunRecord;
    } catch {
      previous = undefined;
    }
    const unfinished = previous !== undefined && !FINISHED.has(previous.status) && !options.restart;
    if (unfinished && !options.acceptChanges) {
      const changes = changesSince(previous!, info, definitionHash);
      if (changes.length > 0) {
        throw new RunDirectoryError(
          `Cannot resume the run in ${dir}: ${changes.join('; ')} since it started, so its finished rows may not match what this run would make. ` +
            'Start over with --restart (the outputs are rewritten), or continue anyway with --accept-changes.' +
            (changes.some((c) => c.startsWith('the input '))
              ? ' To resume inputs you edit, name records by their content: `id: hash` on the input (`contentIds(source)` in code).'
              : ''),
        );
      }
    }
    const resuming = unfinished;
    const done = new Set<string>();
    let dropped = 0;
    if (resuming) {
      for await (const line of completeLines(join(dir, 'done.log'))) {
        if (line !== '') done.add((JSON.parse(line) as { id: string }).id);
      }
      await checkSidecars(dir, previous!);
      dropped = await repairOutputs(join(dir, 'written'), done);
      // Rewrite the ledger without a torn last line, so appends start on a line of their own.
      await writeAtomically(join(dir, 'done.log'), [...done].map((id) => `${JSON.stringify({ id })}\n`).join(''));
    } else {
      await rm(join(dir, 'done.log'), { force: true });
      await rm(join(dir, 'written'), { recursive: true, force: true });
      await mkdir(join(dir, 'written'), { recursive: true });
      await rm(stagingPaths.root(dir), { recursive: true, force: true });
      // A run that starts over keeps only its own step outputs and console lines.
      await rm(join(dir, 'steps'), { recursive: true, force: true });
      await rm(join(dir, 'console.log'), { force: true });
      await rm(join(dir, 'metrics.jsonl'), { force: true });
      // The batch ledger of a run that ended belongs to it: a new run must not pick up its parts.
      await rm(join(dir, 'batches'), { recursive: true, force: true });
    }
    const { extra, definitionYaml, ...kept } = info;
    if (definitionYaml !== undefined) await writeAtomically(join(dir, 'pipeline.yaml'), definitionYaml);
    else await rm(join(dir, 'pipeline.yaml'), { force: true });
    const record: RunRecord = {
      version: 1,
      ...kept,
      ...extra,
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
      const name = sidecarName(file);
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

  /**
   * Writes out every lineage line still buffered. Their callbacks finish the last records (which
   * then go to the ledger), so call this after the sinks close and before `finish`.
   */
  async flushLineage(): Promise<void> {
    const sidecars = [...this.#sidecars.values()];
    this.#sidecars.clear();
    await Promise.allSettled(sidecars.map((s) => s.close()));
  }

  /**
   * Keeps a row a step passed on, in `steps/<step>.jsonl` (a step in a branch, `a/b`, as `a__b`),
   * appended to on a resume. A look back, not a promise: a crash may lose the last lines.
   */
  keep(step: string, row: { readonly id: string; readonly lineage: readonly string[]; readonly row: unknown }): void {
    let writer = this.#kept.get(step);
    if (!writer) {
      const folder = keptSteps.folder(this.dir);
      if (!existsSync(folder)) mkdirSync(folder, { recursive: true });
      writer = new NdjsonWriter(createWriteStream(keptSteps.path(this.dir, step), { flags: 'a' }));
      this.#kept.set(step, writer);
    }
    writer.write(row, () => {});
  }

  /** Appends a console line of a `quiet` step to `console.log`: `<time> <step> <level>: <text>`, one line per line of text. */
  console(step: string, level: string, text: string): void {
    this.#console ??= createWriteStream(join(this.dir, 'console.log'), { flags: 'a' });
    const at = new Date().toISOString();
    this.#console.write(
      `${text
        .split('\n')
        .map((line) => `${at} ${step} ${level}: ${line}`)
        .join('\n')}\n`,
    );
  }

  /** Flushes the ledger and sidecars, records the end of the run, and unlocks the directory. */
  async finish(summary: RunSummary): Promise<void> {
    try {
      const console = this.#console;
      await Promise.allSettled([
        this.#ledger.close(),
        ...[...this.#sidecars.values(), ...this.#kept.values()].map((s) => s.close()),
        ...(console ? [new Promise<void>((resolve) => console.end(resolve))] : []),
      ]);
      this.#record = { ...this.#record, status: summary.status, endedAt: summary.endedAt, summary };
      await writeAtomically(join(this.dir, 'run.json'), `${JSON.stringify(this.#record, null, 2)}\n`);
      // A finished run is not resumed: the copies of its files written whole have served.
      if (FINISHED.has(summary.status)) await rm(this.staging, { recursive: true, force: true });
    } finally {
      await releaseLock(this.dir);
    }
  }
}

/**
 * Cuts every output file back to the lines whose source records are all done, and its sidecar
 * with it, and takes out of `done` every record that lost a line. Each sidecar line stands for one
 * output line, in order, and is written only after its output line:
 * - sidecar lines past the end of the output (the output was cut, or lost its tail) name records
 *   that the ledger may call done but whose lines are gone: they are redone, and their lines that
 *   did survive are dropped with them, so the redo cannot duplicate them;
 * - output lines past the end of the sidecar (a crash between the two writes) are dropped: their
 *   records cannot be in the ledger yet.
 */
async function repairOutputs(written: string, done: Set<string>): Promise<number> {
  const sidecars: { path: string; header: string; file: string }[] = [];
  for (const name of await readdir(written)) {
    if (!name.endsWith('.ids')) continue;
    const path = join(written, name);
    const header = await completeLines(path).next();
    if (header.done) continue;
    sidecars.push({ path, header: header.value, file: (JSON.parse(header.value) as { file: string }).file });
  }
  // First pass: the records whose lines the outputs no longer hold.
  for (const { path, file } of sidecars) {
    const lineages = completeLines(path);
    await lineages.next();
    const data = completeLines(file);
    for (;;) {
      const [line, ids] = await Promise.all([data.next(), lineages.next()]);
      if (ids.done) break;
      if (line.done) {
        for (const id of (JSON.parse(ids.value) as { ids: string[] }).ids) done.delete(id);
        for await (const rest of lineages) for (const id of (JSON.parse(rest) as { ids: string[] }).ids) done.delete(id);
        break;
      }
    }
  }
  // Second pass: keep the lines whose records are all done.
  let dropped = 0;
  for (const { path: sidecarPath, header, file } of sidecars) {
    const lineages = completeLines(sidecarPath);
    await lineages.next();
    const keptData = createWriteStream(`${file}.repair.tmp`);
    const keptIds = createWriteStream(`${sidecarPath}.repair.tmp`);
    keptIds.write(`${header}\n`);
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

/** The sidecar that records the lineage of `file`'s lines. */
function sidecarName(file: string): string {
  return `${createHash('sha256').update(file).digest('hex').slice(0, 16)}.ids`;
}
