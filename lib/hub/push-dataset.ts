/**
 * Uploads a dataset folder to the Hub as one commit: creates the dataset repository (and the
 * branch) when missing, uploads the Parquet shards through the large-file path, and deletes the
 * shards a previous push left in the same configs, so that the viewer never mixes two runs' rows.
 * The failed-rows file stays local.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceConfigError } from '../core/errors.ts';
import { type DatasetConfig, datasetConfigs } from './dataset-card.ts';
import { HubError } from './hub-error.ts';
import { type HubAccess, hubAccess } from './hub-location.ts';

export interface PushDatasetOptions {
  /** Create the repository private. An existing repository keeps its visibility. */
  private?: boolean;
  /** The branch to commit to (made from `main` when missing). Default `main`. */
  revision?: string;
  /** The commit's title. */
  message?: string;
  /** Where the Hub is and the token: default `HF_ENDPOINT` and `HF_TOKEN`. */
  access?: HubAccess;
  /** Called with each phase (`preuploading`, `uploadingLargeFiles`, `committing`). */
  onPhase?: (phase: string) => void;
}

export interface PushedDataset {
  /** The dataset's page on the Hub. */
  url: string;
  commit: string;
  /** Files uploaded, and files of earlier pushes deleted. */
  uploaded: number;
  deleted: number;
}

/** What a push leaves out: the failed-rows file and hidden files. */
const isPushed = (path: string) => !path.split('/').some((part) => part.startsWith('.')) && !/(^|\/)failed\.jsonl$/.test(path);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(isPushed)
    .sort();
}

/** The configs and files of a dataset folder, or an error saying how to write one. */
export async function checkDatasetFolder(dir: string): Promise<{ configs: DatasetConfig[]; files: string[] }> {
  const configs = existsSync(dir) ? await datasetConfigs(dir) : [];
  const files = configs.length > 0 ? filesUnder(dir) : [];
  if (configs.length === 0 || !files.includes('README.md')) {
    throw new SluiceConfigError(
      `${dir} is not a dataset folder (it needs a README.md card and \`<config>/<split>-00000-of-0000N.parquet\` files): write one with \`sluice run … -o ${dir.replace(/\/*$/, '')}/ --format hf\``,
    );
  }
  return { configs, files };
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/**
 * Pushes the dataset folder `dir` (as `toDatasetFolder` or `-o out/ --format hf` writes it) to
 * `hf://datasets/<repo>`. The token comes from `HF_TOKEN` and is sent to the Hub only.
 * @example
 * await pushDataset('out', 'me/my-dataset', { private: true });
 */
export async function pushDataset(dir: string, repo: string, options: PushDatasetOptions = {}): Promise<PushedDataset> {
  const access = options.access ?? hubAccess();
  if (!access.accessToken)
    throw new SluiceConfigError('Pushing to the Hub needs a token: set HF_TOKEN to a token with write access (https://huggingface.co/settings/tokens)');
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new SluiceConfigError(`Expected a dataset name as \`<owner>/<name>\`, got \`${repo}\``);
  const { configs, files } = await checkDatasetFolder(dir);
  const hub = await import('@huggingface/hub');
  const target = { type: 'dataset' as const, name: repo };
  const branch = options.revision ?? 'main';
  const where = `hf://datasets/${repo}${branch === 'main' ? '' : `@${branch}`}`;
  try {
    await hub.createRepo({ repo: target, ...(options.private ? { private: true } : {}), ...access, accessToken: access.accessToken });
  } catch (error) {
    if (statusOf(error) !== 409) throw HubError.from(error, `Creating ${where}`, access, true);
  }
  if (branch !== 'main') {
    try {
      await hub.createBranch({ repo: target, branch, ...access });
    } catch (error) {
      if (statusOf(error) !== 409) throw HubError.from(error, `Creating the branch ${branch} of hf://datasets/${repo}`, access, true);
    }
  }
  try {
    // Shards of the same configs from an earlier push: deleted in the same commit.
    const fresh = new Set(files);
    const stale: string[] = [];
    for await (const entry of hub.listFiles({ repo: target, revision: encodeURIComponent(branch), recursive: true, ...access })) {
      if (entry.type === 'file' && configs.some((c) => entry.path.startsWith(`${c.name}/`)) && !fresh.has(entry.path)) stale.push(entry.path);
    }
    const operations = [
      ...files.map((path) => ({ operation: 'addOrUpdate' as const, path, content: pathToFileURL(resolve(dir, path)) })),
      ...stale.map((path) => ({ operation: 'delete' as const, path })),
    ];
    const commits = hub.commitIter({
      repo: target,
      branch,
      title: options.message ?? `Upload ${configs.length === 1 ? 'the dataset' : `${configs.length} configs`} with Sluice`,
      operations,
      ...access,
      accessToken: access.accessToken,
    });
    let result: IteratorResult<{ event: string; phase?: string }, { commit: { oid: string } } | undefined>;
    while (!(result = await commits.next()).done) {
      if (result.value.event === 'phase' && result.value.phase) options.onPhase?.(result.value.phase);
    }
    return {
      url: `${access.hubUrl}/datasets/${repo}${branch === 'main' ? '' : `/tree/${encodeURIComponent(branch)}`}`,
      commit: result.value?.commit.oid ?? '',
      uploaded: files.length,
      deleted: stale.length,
    };
  } catch (error) {
    throw HubError.from(error, `Pushing ${dir} to ${where}`, access, true);
  }
}
