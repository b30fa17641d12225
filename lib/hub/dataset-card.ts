/**
 * The dataset card (`README.md`) of a dataset folder: the YAML front matter whose `configs:` the
 * Hub's dataset viewer reads (one config per leaf, each split's Parquet files), then what is in
 * it, how it was made (the run's rows, failed rows, tokens, cost and models) and how to load it.
 * Written from the files themselves: row counts come from the Parquet footers.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../core/summary.ts';

export interface DatasetCardOptions {
  /** `owner/name`, for the loading example. Default: a placeholder. */
  repo?: string;
  /** The run that made the data: its counts, tokens, cost and models go in the card. */
  summary?: RunSummary;
  /** The pipeline's definition, written beside the card as `pipeline.yaml`. */
  pipelineYaml?: string;
  /** The command that made the data from `pipeline.yaml`, for the card (default: with `-o out/ --format hf` only). */
  rerun?: string;
}

export interface DatasetConfig {
  name: string;
  splits: { split: string; files: string[]; rows: number }[];
}

const SHARD = /^(.+)-\d{5}-of-\d{5}\.parquet$/;

/** What the card says in place of the repository until it is pushed (`sluice push` fills it in). */
export const REPO_PLACEHOLDER = '<owner>/<name>';

/** The configs of a dataset folder: each subfolder with `<split>-00000-of-0000N.parquet` files. */
export async function datasetConfigs(dir: string): Promise<DatasetConfig[]> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  const configs: DatasetConfig[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const splits = new Map<string, { split: string; files: string[]; rows: number }>();
    for (const file of readdirSync(join(dir, entry.name)).sort()) {
      const split = SHARD.exec(file)?.[1];
      if (split === undefined) continue;
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(join(dir, entry.name, file)));
      const found = splits.get(split) ?? { split, files: [], rows: 0 };
      splits.set(split, found);
      found.files.push(`${entry.name}/${file}`);
      found.rows += Number(metadata.num_rows);
    }
    if (splits.size > 0) configs.push({ name: entry.name, splits: [...splits.values()] });
  }
  return configs;
}

interface LlmUsage {
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  priced?: boolean;
  simulated?: boolean;
}

function runSection(summary: RunSummary): string[] {
  const llms = Object.entries((summary.llm ?? {}) as Record<string, LlmUsage>);
  const tokens = llms.reduce((sum, [, u]) => sum + (u.promptTokens ?? 0) + (u.completionTokens ?? 0), 0);
  const cost = llms.reduce((sum, [, u]) => sum + (u.costUsd ?? 0), 0);
  const written = Object.values(summary.written).reduce((sum, n) => sum + n, 0);
  const lines = [
    '## How it was made',
    '',
    `Pipeline \`${summary.pipeline}\`, run from ${summary.startedAt} to ${summary.endedAt} (${summary.status}).`,
    '',
    '| source records read | rows written | failed rows | LLM tokens | cost (USD) |',
    '|---|---|---|---|---|',
    `| ${summary.source.read} | ${written} | ${summary.failed} | ${tokens} | ${cost.toFixed(4)}${llms.some(([, u]) => u.priced === false) ? ' (some models not priced)' : ''} |`,
    '',
  ];
  if (llms.length > 0) {
    lines.push('| LLM | model | prompt tokens | completion tokens |', '|---|---|---|---|');
    for (const [name, u] of llms) {
      lines.push(`| ${name} | ${u.model ?? ''}${u.simulated ? ' (simulated)' : ''} | ${u.promptTokens ?? 0} | ${u.completionTokens ?? 0} |`);
    }
    lines.push('');
  }
  if (summary.failed > 0) lines.push('Failed rows are not part of the dataset: each is in the failed-rows file of the run, with its reason.', '');
  return lines;
}

/** Writes `README.md` (and `pipeline.yaml`, `sluice-summary.json` when given) into a dataset folder. */
export async function writeDatasetCard(dir: string, { repo, summary, pipelineYaml, rerun }: DatasetCardOptions = {}): Promise<DatasetConfig[]> {
  const { stringify } = await import('yaml');
  const configs = await datasetConfigs(dir);
  const front = {
    configs: configs.map((config) => ({
      config_name: config.name,
      data_files: config.splits.map(({ split }) => ({ split, path: `${config.name}/${split}-*.parquet` })),
    })),
    tags: ['sluice', 'synthetic'],
  };
  const id = repo ?? REPO_PLACEHOLDER;
  const title = repo ?? (summary ? summary.pipeline : 'Dataset');
  const lines = [
    '---',
    stringify(front).trimEnd(),
    '---',
    '',
    `# ${title}`,
    '',
    'Made with [Sluice](https://www.npmjs.com/package/sluice), a streaming pipeline for LLM datasets.',
    '',
    '| config | split | rows | files |',
    '|---|---|---|---|',
    ...configs.flatMap((config) => config.splits.map(({ split, rows, files }) => `| ${config.name} | ${split} | ${rows} | ${files.length} |`)),
    '',
    ...(summary ? runSection(summary) : []),
    '## Load it',
    '',
    '```python',
    'from datasets import load_dataset',
    '',
    ...configs.map((config) => `ds = load_dataset("${id}", "${config.name}", split="${config.splits[0]?.split ?? 'train'}")`),
    '```',
    '',
    ...(pipelineYaml !== undefined || existsSync(join(dir, 'pipeline.yaml'))
      ? [
          '## Run it again',
          '',
          '`pipeline.yaml` is the pipeline that made it:',
          '',
          '```sh',
          rerun ?? 'npx sluice run pipeline.yaml -o out/ --format hf',
          '```',
          '',
        ]
      : []),
  ];
  await writeFile(join(dir, 'README.md'), `${lines.join('\n')}`);
  if (pipelineYaml !== undefined) await writeFile(join(dir, 'pipeline.yaml'), pipelineYaml);
  if (summary) await writeFile(join(dir, 'sluice-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return configs;
}
