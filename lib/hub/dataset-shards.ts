/**
 * Which Parquet files of a Hub dataset hold a config's split, found as the Hub's dataset viewer
 * finds them: the `configs:` of the dataset card (README.md front matter) when it has them, else
 * the usual layouts (`data/train-00000-of-00002.parquet`, `<config>/train-*.parquet`,
 * `<config>/train/0000.parquet`), else the Parquet copy the Hub makes of every dataset
 * (`refs/convert/parquet`).
 * @module
 */
import { HubError } from './hub-error.ts';
import type { HubAccess, HubLocation } from './hub-location.ts';

export interface Shard {
  path: string;
  /** The revision it is read at (the requested one, or `refs/convert/parquet`). */
  revision: string;
  size: number;
  /** The file's id on the Hub (its LFS SHA-256, else its git blob id): a changed file has another. */
  oid: string;
}

type DataFiles = string | readonly string[] | readonly { split?: string; path: string | readonly string[] }[];
interface CardConfig {
  config_name?: string;
  default?: boolean;
  data_files?: DataFiles;
}

const CONVERTED = 'refs/convert/parquet';

type Listed = Omit<Shard, 'revision'>;

/** `**` any folders, `*` any name part, `?` one character, as the card's `path:` patterns mean. */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** The patterns of `split` in a card config's `data_files`, or undefined when it has no such split. */
function patternsOf(dataFiles: DataFiles, split: string): string[] | undefined {
  if (typeof dataFiles === 'string') return split === 'train' ? [dataFiles] : undefined;
  if (dataFiles.every((entry) => typeof entry === 'string')) return split === 'train' ? [...(dataFiles as string[])] : undefined;
  const entry = (dataFiles as { split?: string; path: string | readonly string[] }[]).find((e) => (e.split ?? 'train') === split);
  return entry === undefined ? undefined : typeof entry.path === 'string' ? [entry.path] : [...entry.path];
}

function splitsOf(dataFiles: DataFiles): string[] {
  if (typeof dataFiles === 'string' || dataFiles.every((entry) => typeof entry === 'string')) return ['train'];
  return (dataFiles as readonly { split?: string }[]).map((e) => e.split ?? 'train');
}

/** Whether a file's path says it holds `split`: `train-0000…`, `train.parquet`, or a `train/` folder. */
function namesSplit(path: string, split: string): boolean {
  const parts = path.split('/');
  const file = parts.at(-1)!;
  return parts.slice(0, -1).some((part) => part === split || part === `partial-${split}`) || new RegExp(`^${split}([-_.]|$)`).test(file);
}

async function cardConfigs(hub: typeof import('@huggingface/hub'), repo: string, revision: string, access: HubAccess): Promise<CardConfig[] | undefined> {
  const blob = await hub.downloadFile({ repo: { type: 'dataset', name: repo }, path: 'README.md', revision, ...access });
  if (!blob) return undefined;
  const text = await blob.text();
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!front) return undefined;
  const { parse } = await import('yaml');
  const configs = (parse(front[1]!) as { configs?: CardConfig[] } | null)?.configs;
  return Array.isArray(configs) && configs.length > 0 ? configs : undefined;
}

async function listing(hub: typeof import('@huggingface/hub'), repo: string, revision: string, access: HubAccess): Promise<Listed[]> {
  const files: Listed[] = [];
  // The library puts the revision in the path as it is: `refs/convert/parquet` must be one segment.
  for await (const entry of hub.listFiles({ repo: { type: 'dataset', name: repo }, revision: encodeURIComponent(revision), recursive: true, ...access })) {
    if (entry.type === 'file') files.push({ path: entry.path, size: entry.size, oid: entry.lfs?.oid ?? entry.oid ?? '' });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The Parquet files of `location`'s config and `split`, in order, or a `HubError` that lists what there is. */
export async function datasetShards(location: HubLocation, split: string, access: HubAccess): Promise<Shard[]> {
  const hub = await import('@huggingface/hub');
  const revision = location.revision ?? 'main';
  const name = `hf://datasets/${location.repo}${location.config ? `/${location.config}` : ''}@${revision}`;
  let files: Listed[];
  let configs: CardConfig[] | undefined;
  try {
    files = await listing(hub, location.repo, revision, access);
    configs = files.some((file) => file.path === 'README.md') ? await cardConfigs(hub, location.repo, revision, access) : undefined;
  } catch (error) {
    throw HubError.from(error, `Listing ${name}`, access);
  }
  const parquet = files.filter((file) => file.path.endsWith('.parquet'));
  let chosen: Listed[] | undefined;
  if (configs) {
    const config =
      location.config !== undefined
        ? configs.find((c) => (c.config_name ?? 'default') === location.config)
        : (configs.find((c) => c.default) ??
          configs.find((c) => (c.config_name ?? 'default') === 'default') ??
          (configs.length === 1 ? configs[0] : undefined));
    const names = configs.map((c) => `\`${c.config_name ?? 'default'}\``).join(', ');
    if (!config) {
      throw new HubError(
        location.config !== undefined
          ? `${name} has no config \`${location.config}\`; its card lists ${names}`
          : `${name} has several configs (${names}): name one, as hf://datasets/${location.repo}/<config>`,
      );
    }
    const patterns = config.data_files === undefined ? undefined : patternsOf(config.data_files, split);
    if (config.data_files !== undefined && patterns === undefined) {
      throw new HubError(
        `${name} has no split \`${split}\` in config \`${config.config_name ?? 'default'}\`; it has ${splitsOf(config.data_files)
          .map((s) => `\`${s}\``)
          .join(', ')}`,
      );
    }
    if (patterns) {
      const matchers = patterns.map(globToRegExp);
      const matched = files.filter((file) => matchers.some((m) => m.test(file.path)));
      if (matched.length > 0 && matched.every((file) => file.path.endsWith('.parquet'))) chosen = matched;
    }
  } else {
    const inConfig = location.config !== undefined ? parquet.filter((file) => file.path.startsWith(`${location.config}/`)) : parquet;
    const ofSplit = inConfig.filter((file) => namesSplit(file.path, split));
    const preferred = ofSplit.filter((file) => file.path.startsWith('data/'));
    const byDefault = ofSplit.filter((file) => file.path.startsWith('default/'));
    const picked =
      location.config === undefined && preferred.length > 0 ? preferred : location.config === undefined && byDefault.length > 0 ? byDefault : ofSplit;
    if (picked.length > 0) chosen = picked;
  }
  if (chosen) return chosen.map((file) => ({ ...file, revision }));
  // Not Parquet (CSV, JSON Lines…): the Hub keeps a Parquet copy of the dataset on a branch of its own.
  if (location.revision === undefined) {
    try {
      const converted = await listing(hub, location.repo, CONVERTED, access);
      const prefix = `${location.config ?? 'default'}/`;
      const ofSplit = converted.filter(
        (file) => file.path.startsWith(prefix) && file.path.endsWith('.parquet') && namesSplit(file.path.slice(prefix.length), split),
      );
      if (ofSplit.length > 0) return ofSplit.map((file) => ({ ...file, revision: CONVERTED }));
    } catch {
      // No Parquet copy: say what the dataset holds, below.
    }
  }
  const seen =
    parquet.length > 0
      ? `its Parquet files are ${parquet
          .slice(0, 5)
          .map((file) => `\`${file.path}\``)
          .join(', ')}${parquet.length > 5 ? ', …' : ''}`
      : 'it holds no Parquet file';
  throw new HubError(`${name} has no Parquet files for split \`${split}\`${location.config ? ` of config \`${location.config}\`` : ''}: ${seen}`);
}
