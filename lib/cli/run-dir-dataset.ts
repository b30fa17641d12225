/**
 * A run directory's outputs as a dataset folder, for `sluice push <run-dir>`: each output file
 * (or each leaf's file of an output folder) becomes a config, its rows rewritten as Parquet, with
 * the card built from the run's summary and its `pipeline.yaml`.
 * @module
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import type { RunSummary } from '../core/summary.ts';
import { sourceFor } from '../formats/source-for.ts';
import { writeDatasetCard } from '../hub/dataset-card.ts';
import { toDatasetFolder } from '../hub/dataset-folder.ts';

interface RunJson {
  status?: string;
  cwd?: string;
  outputs?: Record<string, string>;
  failedPath?: string;
  summary?: RunSummary;
}

/** Whether `dir` is a run directory (it has `run.json`). */
export function isRunDirectory(dir: string): boolean {
  return existsSync(join(dir, 'run.json'));
}

/** Copies the rows of `file` into `sink` as leaf `config`, holding at most one source batch of dones. */
async function copyRows(file: string, config: string, sink: Sink): Promise<void> {
  const controller = new AbortController();
  for await (const batch of sourceFor(file).read(controller.signal)) {
    const dones: Promise<void>[] = [];
    for (const item of batch) {
      if (!item.ok) continue; // Unreadable records were the run's failed rows, not data.
      dones.push(new Promise((resolve, reject) => sink.write(item.row, config, (error) => (error ? reject(error) : resolve()))));
    }
    await Promise.all(dones);
  }
}

/**
 * The config name of a leaf's file: its name without the extensions (`good.jsonl.gz` → `good`),
 * and a chunk file's without its number (`good-00001-of-00004.parquet` → `good`; the unnamed
 * leaf's `part-00000.jsonl` → `default`).
 */
function configOf(file: string): string {
  const name = basename(file).replace(/(\.[a-z0-9]+)+$/i, '');
  const leaf = name.replace(/-\d{5}(-of-\d{5})?$/, '');
  return leaf === name ? name : leaf === 'part' ? 'default' : leaf;
}

/** A dataset folder as `-o out/ --format hf` writes it: a card beside config folders of Parquet shards. */
function isDatasetFolder(path: string): boolean {
  return (
    existsSync(join(path, 'README.md')) &&
    readdirSync(path, { withFileTypes: true }).some(
      (entry) => entry.isDirectory() && readdirSync(join(path, entry.name)).some((file) => file.endsWith('.parquet')),
    )
  );
}

/**
 * Writes `<runDir>/dataset/` from the run's outputs and returns its path (a run that wrote one
 * dataset folder: that folder). Refuses a run that has not finished (resume it first) and a run
 * that wrote to standard output.
 */
export async function datasetFromRunDirectory(runDir: string): Promise<string> {
  const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunJson;
  if (run.status !== 'ok' && run.status !== 'failed-rows') {
    throw new SluiceConfigError(
      `The run in ${runDir} has not finished (status \`${run.status}\`): resume it with \`sluice run … --run-dir ${runDir}\`, then push`,
    );
  }
  const cwd = run.cwd ?? process.cwd();
  const failed = run.failedPath === undefined ? undefined : resolve(cwd, run.failedPath);
  const files: { file: string; config: string }[] = [];
  for (const output of Object.values(run.outputs ?? {})) {
    const path = resolve(cwd, output);
    if (output === '-' || !existsSync(path)) {
      throw new SluiceConfigError(`The run in ${runDir} wrote to ${output === '-' ? 'standard output' : `${path}, which is gone`}: there is nothing to push`);
    }
    if (!statSync(path).isDirectory()) files.push({ file: path, config: 'default' });
    // Already a dataset, with its card: pushed as it is.
    else if (isDatasetFolder(path) && Object.keys(run.outputs ?? {}).length === 1) return path;
    else {
      for (const name of readdirSync(path).sort()) {
        const file = join(path, name);
        if (file !== failed && name !== 'failed.jsonl' && statSync(file).isFile()) files.push({ file, config: configOf(name) });
      }
    }
  }
  const dest = join(runDir, 'dataset');
  rmSync(dest, { recursive: true, force: true });
  const sink = toDatasetFolder(dest);
  await sink.open?.();
  for (const { file, config } of files) await copyRows(file, config, sink);
  await sink.close();
  const pipelineYaml = existsSync(join(runDir, 'pipeline.yaml')) ? readFileSync(join(runDir, 'pipeline.yaml'), 'utf8') : undefined;
  await writeDatasetCard(dest, { ...(run.summary ? { summary: run.summary } : {}), ...(pipelineYaml ? { pipelineYaml } : {}) });
  return dest;
}
