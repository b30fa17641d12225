/**
 * `sluice batches <run-dir>`: the batches a run sent through the batch API (from its ledger in
 * `<run-dir>/batches/`), with their state at the provider now; `--cancel` cancels those not ended.
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { createLlm } from '../../llm/client.ts';
import type { BatchState } from '../../llm/batch/batch-api.ts';
import { ENDED } from '../../llm/batch/batch-api.ts';
import { BatchLedger, type PartRecord } from '../../llm/batch/batch-ledger.ts';
import { SIMULATED_ENDPOINT } from '../../llm/shared-simulator.ts';
import { ExitCode } from '../exit-codes.ts';
import { textTable } from '../text-table.ts';

export interface BatchesFlags {
  cancel?: boolean;
  json?: boolean;
  apiKeyEnv?: string;
}

interface LedgerPart extends PartRecord {
  llm: string;
  /** The server the LLM sent its batches to (`sluice-simulator` for the built-in one). */
  server: string;
}

/** Every part of every LLM's ledger in the run directory. */
function readLedgers(dir: string): LedgerPart[] {
  return BatchLedger.files(join(dir, 'batches')).flatMap((path) => {
    const { header, parts } = BatchLedger.read(path);
    const llm = header?.llm ?? basename(path, '.jsonl');
    return [...parts.values()].map((part) => ({ ...part, llm, server: header?.endpoint ?? '' }));
  });
}

export async function batchesCommand(dir: string, flags: BatchesFlags): Promise<number> {
  if (!existsSync(join(dir, 'run.json'))) {
    process.stderr.write(`sluice: \`${dir}\` is not a run directory (no run.json): give the --run-dir of a run.\n`);
    return ExitCode.usage;
  }
  const parts = readLedgers(dir);
  if (parts.length === 0) {
    process.stderr.write(`sluice: the run in \`${dir}\` sent no batches (LLMs in batch mode record theirs in ${join(dir, 'batches')}).\n`);
    return ExitCode.ok;
  }
  const apis = new Map<string, ReturnType<NonNullable<ReturnType<typeof createLlm>['batchApi']>>>();
  const llms: Array<ReturnType<typeof createLlm>> = [];
  const apiFor = (part: LedgerPart) => {
    // The built-in simulator is gone with the run that started it: only the record is left.
    if (part.server === SIMULATED_ENDPOINT || part.server === '') return undefined;
    let api = apis.get(part.server);
    if (!api) {
      const llm = createLlm({
        model: 'batches',
        name: part.llm,
        baseURL: part.server,
        // The environment's key goes to its own endpoint only; another server's key is named.
        ...(flags.apiKeyEnv ? { apiKey: process.env[flags.apiKeyEnv] ?? '' } : {}),
      });
      llms.push(llm);
      api = llm.batchApi!();
      apis.set(part.server, api);
    }
    return api;
  };
  let failures = 0;
  const rows: string[][] = [];
  try {
    for (const part of parts) {
      let state: BatchState | undefined;
      let note = '';
      const api = part.batchId ? apiFor(part) : undefined;
      if (api && part.batchId) {
        try {
          state = await api.retrieve(part.batchId);
          if (flags.cancel && !ENDED.has(state.status) && state.status !== 'cancelling') state = await api.cancel(part.batchId);
        } catch (error) {
          failures++;
          note = (error as Error).message;
        }
      } else if (part.batchId) note = 'recorded only (the built-in simulator ended with its run)';
      else note = part.ended === 'not-sent' ? 'never sent' : 'not submitted';
      const record = {
        llm: part.llm,
        part: part.part,
        requests: part.requests,
        fileId: part.fileId ?? null,
        batchId: part.batchId ?? null,
        recorded: part.ended ?? (part.batchId ? 'submitted' : part.fileId ? 'uploaded' : 'written'),
        status: state?.status ?? null,
        counts: state?.counts ?? null,
        ...(note ? { note } : {}),
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(record)}\n`);
      else
        rows.push([
          record.llm,
          String(record.part),
          String(record.requests),
          record.batchId ?? '-',
          record.recorded,
          state ? `${state.status} (${state.counts.completed} done, ${state.counts.failed} failed of ${state.counts.total})` : note,
        ]);
    }
  } finally {
    await Promise.all(llms.map((llm) => llm.close()));
  }
  if (!flags.json) {
    process.stdout.write(textTable(['llm', 'part', 'requests', 'batch', 'recorded', flags.cancel ? 'now (after --cancel)' : 'now'], rows));
  }
  return failures > 0 ? ExitCode.runError : ExitCode.ok;
}

export function registerBatches(program: Command, setExit: (code: number) => void): void {
  program
    .command('batches')
    .summary("list a run's batch API batches and their state; --cancel cancels them")
    .description(
      'List the batches a run sent through the batch API (LLMs with `batch`), from its run directory: each part, its request count, batch id, what the run recorded, and its state at the provider now. The key is OPENAI_API_KEY for the environment’s endpoint, or the variable --api-key-env names.',
    )
    .argument('<run-dir>', 'the run directory (--run-dir of the run)')
    .option('--cancel', 'cancel every batch not ended (a resumed run sends their requests again)')
    .option('--json', 'one JSON object per batch on stdout')
    .option('--api-key-env <name>', 'the environment variable with the key of a server that is not OPENAI_BASE_URL')
    .addHelpText(
      'after',
      `
Examples:
  sluice batches runs/qa
  sluice batches runs/qa --cancel
  sluice batches runs/qa --json | jq .status

Exit codes: 0 ok, 1 a batch could not be read or cancelled, 2 usage error.`,
    )
    .action(async (dir: string, flags: BatchesFlags) => {
      setExit(await batchesCommand(dir, flags));
    });
}
