/**
 * The project's record of its runs: every run with a run directory adds a line to
 * `.sluice/runs/index.jsonl` (under the working directory) when it ends — its pipeline, the hash
 * of its steps, when it started and ended, its status, rows written and failed, LLM cost, and
 * where its run directory is — so that `sluice runs` can list them, newest first.
 * @module
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { RunSummary } from '../core/summary.ts';

export interface RunRecord {
  pipeline: string;
  /** A hash of the steps, their params and versions: equal for runs of the same pipeline. */
  definition: string;
  startedAt: string;
  endedAt: string;
  status: string;
  written: number;
  failed: number;
  costUsd: number;
  /** The run directory, relative to the project. */
  runDir: string;
}

const INDEX = join('.sluice', 'runs', 'index.jsonl');

/** The LLM cost of a run: its own LLM steps and its workers'. */
function costOf(summary: RunSummary): number {
  const usages = [
    ...Object.values((summary.llm ?? {}) as Record<string, { costUsd?: number }>),
    ...Object.values(((summary.workers as { llm?: Record<string, { costUsd?: number }> } | undefined)?.llm ?? {}) as Record<string, { costUsd?: number }>),
  ];
  return usages.reduce((sum, usage) => sum + (usage.costUsd ?? 0), 0);
}

export async function recordRun(summary: RunSummary, definition: string, runDir: string, project = process.cwd()): Promise<void> {
  const record: RunRecord = {
    pipeline: summary.pipeline,
    definition,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
    status: summary.status,
    written: Object.values(summary.written).reduce((sum, n) => sum + n, 0),
    failed: summary.failed,
    costUsd: Math.round(costOf(summary) * 1e6) / 1e6,
    runDir: relative(project, resolve(runDir)) || '.',
  };
  await mkdir(join(project, '.sluice', 'runs'), { recursive: true });
  await appendFile(join(project, INDEX), `${JSON.stringify(record)}\n`);
}

/** The project's runs, newest first; a line that does not parse (a run killed mid-write) is skipped. */
export async function readRuns(project = process.cwd()): Promise<RunRecord[]> {
  let text: string;
  try {
    text = await readFile(join(project, INDEX), 'utf8');
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as RunRecord);
    } catch {
      // A torn last line: the run it was for ended without its record.
    }
  }
  return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
