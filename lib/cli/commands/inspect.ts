/**
 * `sluice inspect <run-dir>`: prints what a run directory (made by `sluice run --run-dir`) records:
 * status, times, the command, per-step counts, LLM usage and cost, cache counters, outputs, failed
 * rows and the records done.
 * @module
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { keptSteps } from '../../core/kept-steps.ts';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SluiceConfigError } from '../../core/errors.ts';
import type { RunSummary } from '../../core/summary.ts';
import { countLines } from '../count-lines.ts';
import { ExitCode } from '../exit-codes.ts';
import { formatSummary } from '../print-summary.ts';

export interface InspectFlags {
  json?: boolean;
  step?: string;
}

interface DescribedStep {
  name?: string;
  kind?: string;
  branches?: Record<string, DescribedStep[]> | DescribedStep[];
}

/** The fields of run.json that inspect reads; others are ignored. */
export interface RunRecordView {
  version: number;
  pipeline: string;
  definition?: { name?: string; source?: string; steps?: DescribedStep[] };
  command?: string[];
  input?: string;
  outputs?: Record<string, string> | string;
  failedPath?: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  resumes?: number;
  summary?: RunSummary;
}

const STATUS_NOTES: Record<string, string> = {
  ok: 'finished, every row written',
  'failed-rows': 'finished, some rows failed',
  interrupted: 'interrupted; run the same command again to resume',
  error: 'stopped by an error; run the same command again to resume',
  running: 'running, or killed before it could finish; run the same command again to resume',
};

function stepList(steps: readonly DescribedStep[] | undefined, prefix = ''): string[] {
  const out: string[] = [];
  for (const step of steps ?? []) {
    const name = `${prefix}${step.name ?? '?'}`;
    out.push(step.kind && step.kind !== step.name ? `${name} (${step.kind})` : name);
    const branches = Array.isArray(step.branches) ? { '': step.branches } : (step.branches ?? {});
    for (const [branch, inner] of Object.entries(branches)) out.push(...stepList(inner, `${name}/${branch ? `${branch}/` : ''}`));
  }
  return out;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The readable report for a run record and its done-ledger count. */
export function formatRunRecord(dir: string, record: RunRecordView, doneRecords: number | undefined): string {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(9)} ${value}`);
  lines.push(`run ${dir}: pipeline ${record.pipeline}, ${record.status} (${STATUS_NOTES[record.status] ?? 'unknown status'})`);
  field('started', record.startedAt);
  if (record.endedAt) {
    const ms = Date.parse(record.endedAt) - Date.parse(record.startedAt);
    field('ended', `${record.endedAt}${Number.isFinite(ms) ? ` (${(ms / 1000).toFixed(2)} s after the start)` : ''}`);
  } else {
    field('ended', 'not yet');
  }
  field('resumes', String(record.resumes ?? 0));
  if (record.command?.length) field('command', record.command.map(quoteArg).join(' '));
  const input = record.input ?? record.definition?.source;
  if (input) field('input', input);
  // Only files that are there: a folder output names its folder, and an output not written says so.
  const shown = (path: string) => (existsSync(path) ? path : `${path} (not written)`);
  if (typeof record.outputs === 'string') field('outputs', shown(record.outputs));
  else
    for (const [name, path] of Object.entries(record.outputs ?? {}))
      field('output', name === path || `${name}/` === path ? shown(path) : `${name} → ${shown(path)}`);
  if (record.summary) {
    // The summary table as `sluice run` printed it, without its first line (the header above says it).
    lines.push(...formatSummary(record.summary, { showIdleCache: true }).trimEnd().split('\n').slice(1));
  } else {
    lines.push(`  steps: ${stepList(record.definition?.steps).join(', ') || 'none'}`);
    lines.push('  no summary yet: the run has not ended');
    if (record.failedPath && existsSync(record.failedPath)) field('failed', `see ${record.failedPath}`);
  }
  if (doneRecords !== undefined) field('done', `${doneRecords.toLocaleString('en-US')} source record${doneRecords === 1 ? '' : 's'} in done.log`);
  return `${lines.join('\n')}\n`;
}

export async function inspectCommand(dir: string, flags: InspectFlags): Promise<number> {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) {
    throw new SluiceConfigError(`No run.json in \`${dir}\`. Give the folder a run was recorded in with \`sluice run … --run-dir <dir>\`.`);
  }
  if (flags.step !== undefined) return printKeptStep(dir, flags.step);
  const text = await readFile(path, 'utf8');
  let record: RunRecordView;
  try {
    record = JSON.parse(text) as RunRecordView;
  } catch (error) {
    throw new SluiceConfigError(`\`${path}\` is not valid JSON (${(error as Error).message}). Was the run directory written by another program?`);
  }
  if (record === null || typeof record !== 'object' || record.version !== 1) {
    throw new SluiceConfigError(
      `Expected \`${path}\` to be a run record of version 1, got version \`${String((record as { version?: unknown } | null)?.version)}\`. Use a sluice that matches the one that made it.`,
    );
  }
  if (flags.json) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return ExitCode.ok;
  }
  const ledger = join(dir, 'done.log');
  const done = existsSync(ledger) ? await countLines(ledger) : undefined;
  process.stdout.write(formatRunRecord(dir, record, done));
  return ExitCode.ok;
}

export function registerInspect(program: Command, setExit: (code: number) => void): void {
  program
    .command('inspect')
    .summary('print what a run directory records: status, counts, cost, outputs')
    .description(
      'Print a run directory made by `sluice run --run-dir`: status, times, the command, per-step counts, LLM usage and cost, cache hits and misses, outputs, failed rows, and the source records done.',
    )
    .argument('<run-dir>', 'the folder given to `sluice run --run-dir`')
    .option('--json', 'print run.json as it is')
    .option('--step <name>', 'print the rows that step passed on, as kept with `sluice run … --keep <name>` (NDJSON on stdout: id, lineage, row)')
    .addHelpText(
      'after',
      `
Examples:
  sluice inspect runs/qa
  sluice inspect runs/qa --json | jq .summary.llm`,
    )
    .action(async (dir: string, flags: InspectFlags) => {
      setExit(await inspectCommand(dir, flags));
    });
}

/** Prints a kept step's rows (`steps/<step>.jsonl`) to stdout, as they are. */
async function printKeptStep(dir: string, step: string): Promise<number> {
  const file = keptSteps.path(dir, step);
  if (!existsSync(file)) throw keptSteps.missing(dir, step);
  await pipeline(createReadStream(file), process.stdout, { end: false });
  return ExitCode.ok;
}
