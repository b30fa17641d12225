/**
 * What `sluice run` does with a dataset folder output: `-o out/ --format hf` gets its card again
 * after the run, with the run's summary and `pipeline.yaml`; `-o hf://datasets/<owner>/<name>`
 * (or a definition's `output:`) is written to a staging folder and pushed once the run has ended.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sink } from '../core/sink.ts';
import type { RunSummary } from '../core/summary.ts';
import { type DatasetConfig, writeDatasetCard } from '../hub/dataset-card.ts';
import { toDatasetFolder } from '../hub/dataset-folder.ts';
import { HubError } from '../hub/hub-error.ts';
import { parseHubLocation } from '../hub/hub-location.ts';
import { pushDataset } from '../hub/push-dataset.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';

export interface DatasetOutput {
  sink: Sink;
  /** Writes the card (and for `hf://`, pushes); returns a line for stderr. `rerun`: the command that makes the data again. */
  finish(summary: RunSummary, pipeline: Pipeline<any>, rerun?: string): Promise<string>;
}

/** The pipeline as a definition, when it can be saved as one. */
async function pipelineYamlOf(pipeline: Pipeline<any>, dir: string): Promise<string | undefined> {
  const { definitionYamlOf } = await import('../config/save-definition.ts');
  try {
    return definitionYamlOf(pipeline, { dir: resolve(dir) });
  } catch {
    return undefined; // A step written in code, with no definition: the card says nothing of it.
  }
}

/** The card, with the run's summary, `pipeline.yaml` and rerun command; the configs it lists. */
async function writeCard(dir: string, summary: RunSummary, pipeline: Pipeline<any>, rerun: string | undefined, repo?: string): Promise<DatasetConfig[]> {
  const pipelineYaml = await pipelineYamlOf(pipeline, dir);
  return writeDatasetCard(dir, { summary, ...(repo ? { repo } : {}), ...(pipelineYaml ? { pipelineYaml } : {}), ...(rerun ? { rerun } : {}) });
}

/** A local dataset folder (`-o out/ --format hf`). Its card is written once, after the run. */
export function datasetFolderOutput(dir: string, chunkSize?: number): DatasetOutput {
  return {
    sink: toDatasetFolder(dir, { card: false, ...(chunkSize ? { chunkSize } : {}) }),
    async finish(summary, pipeline, rerun) {
      await writeCard(dir, summary, pipeline, rerun);
      return `sluice: dataset folder ${dir} written; push it with \`sluice push ${dir} <owner>/<name>\``;
    },
  };
}

/**
 * `hf://datasets/<owner>/<name>[@<branch>]`: a staging folder, pushed after the run. With a run
 * directory the folder is its `hub-dataset/`, so that a stopped run resumes into the same folder.
 */
export function hubOutput(location: string, chunkSize?: number, onPhase?: (phase: string) => void, runDir?: string): DatasetOutput {
  const { repo, revision } = parseHubLocation(location);
  const staging = runDir === undefined ? mkdtempSync(join(tmpdir(), 'sluice-hf-')) : join(runDir, 'hub-dataset');
  return {
    sink: toDatasetFolder(staging, { repo, card: false, ...(chunkSize ? { chunkSize } : {}) }),
    async finish(summary, pipeline, rerun) {
      const configs = await writeCard(staging, summary, pipeline, rerun, repo);
      if (configs.length === 0) return `sluice: no row was written, so nothing was pushed to hf://datasets/${repo}`;
      try {
        const pushed = await pushDataset(staging, repo, { ...(revision ? { revision } : {}), ...(onPhase ? { onPhase } : {}) });
        rmSync(staging, { recursive: true, force: true });
        return `sluice: pushed ${pushed.uploaded} files to ${pushed.url} (commit ${pushed.commit.slice(0, 10)})`;
      } catch (error) {
        throw new HubError(`${(error as Error).message}. The dataset is in ${staging}: push it again with \`sluice push ${staging} ${repo}\``);
      }
    },
  };
}
