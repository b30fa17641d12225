/**
 * A sink that publishes to the Hub (`-o hf://datasets/<owner>/<name>`, `output:` in a definition):
 * rows go to a dataset folder in a staging directory, which is pushed as one commit when the sink
 * closes. A push that fails leaves the folder, and the error says how to push it again.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { datasetConfigs } from './dataset-card.ts';
import { type DatasetFolderOptions, toDatasetFolder } from './dataset-folder.ts';
import { HubError } from './hub-error.ts';
import { type HubAccess, parseHubLocation } from './hub-location.ts';
import { pushDataset } from './push-dataset.ts';

export interface HubDatasetSinkOptions extends Omit<DatasetFolderOptions, 'repo'> {
  /** The folder to write before pushing. Default: a new temporary folder, removed after the push. */
  staging?: string;
  /** Create the repository private. */
  private?: boolean;
  access?: HubAccess;
}

/** The staging folder of a sink made by `toHubDataset`, and the dataset it pushes to. */
export interface HubDatasetSink extends Sink {
  readonly staging: string;
  readonly repo: string;
  readonly revision?: string;
}

/**
 * Writes the rows as a dataset folder and pushes it to `hf://datasets/<owner>/<name>[@<branch>]`
 * when the run ends.
 * @example
 * await pipeline('qa').from(rows).pipe(…).to(toHubDataset('hf://datasets/me/qa', { private: true })).run();
 */
export function toHubDataset(location: string, options: HubDatasetSinkOptions = {}): HubDatasetSink {
  const { repo, config, revision } = parseHubLocation(location);
  if (config !== undefined) {
    throw new SluiceConfigError(`\`${location}\`: a pushed dataset gets one config per leaf of the pipeline; name the dataset only (hf://datasets/${repo})`);
  }
  let staging = options.staging;
  let folder: Sink | undefined;
  /** Made on first use, so that loading a definition (to validate it, say) leaves no folder behind. */
  const ready = () => {
    staging ??= mkdtempSync(join(tmpdir(), 'sluice-hf-'));
    folder ??= toDatasetFolder(staging, { ...options, repo });
    return folder;
  };
  return {
    name: location,
    get staging() {
      ready();
      return staging!;
    },
    repo,
    ...(revision ? { revision } : {}),
    open: (opened) => ready().open?.(opened) ?? Promise.resolve(),
    write: (row, leaf, done) => ready().write(row, leaf, done),
    async close() {
      await ready().close();
      // No row was written (none came, or every one failed and was told so): nothing to publish.
      if (!existsSync(staging!) || (await datasetConfigs(staging!)).length === 0) return;
      try {
        await pushDataset(staging!, repo, {
          ...(options.private ? { private: true } : {}),
          ...(revision ? { revision } : {}),
          ...(options.access ? { access: options.access } : {}),
        });
      } catch (error) {
        const again = `the dataset is in ${staging}; push it again with \`sluice push ${staging} ${repo}\``;
        throw new HubError(`${(error as Error).message}; ${again}`);
      }
      if (options.staging === undefined) rmSync(staging!, { recursive: true, force: true });
    },
  };
}
