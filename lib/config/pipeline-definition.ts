/**
 * The schema of a whole definition. Steps and LLMs are checked one by one afterwards (steps by
 * their kind's schema in the registry, LLMs by `llmDeclarationSchema`), so that each error can
 * name the step or LLM it is in.
 * @module
 */
import { z } from 'zod';
import { field } from './fields.ts';

export const pipelineDefinitionSchema = z.strictObject(
  {
    name: field.nonEmpty("The pipeline's name, for the summary and the run directory."),
    description: field.text('What the pipeline does, for people.').optional(),
    input: z
      .union(
        [
          field.nonEmpty('A path or URL.'),
          z.strictObject(
            {
              path: field.nonEmpty('The file, http(s) URL, or Hub dataset `hf://datasets/<owner>/<name>[/<config>][@<revision>]`.'),
              format: field.oneOf(['ndjson', 'json', 'csv', 'tsv', 'parquet', 'hf'], 'The format, over the extension’s.').optional(),
              delimiter: field.nonEmpty('CSV/TSV: the field delimiter.').optional(),
              infer: field.flag('CSV/TSV: infer numbers, booleans, null and JSON text. Default `true`.').optional(),
              columns: field.names('Parquet and Hub datasets: the columns to read.').optional(),
              split: field.nonEmpty('Hub datasets: the split to read. Default `train`.').optional(),
              shuffle: z
                .strictObject(
                  {
                    seed: z
                      .union([z.number(), z.string()], { error: 'a number or a string' })
                      .describe('The seed: the same seed reads the rows in the same order.'),
                    bufferSize: field.count('Rows shuffled together. Default 1000.').optional(),
                  },
                  { error: 'a map with `seed`' },
                )
                .describe('Hub datasets: shuffle by file, then within a buffer of rows.')
                .optional(),
              id: field
                .oneOf(
                  ['position', 'hash'],
                  'How records are named for resume: by `position` (default) or by a `hash` of their content, so an edited input resumes.',
                )
                .optional(),
            },
            { error: 'a map with `path`' },
          ),
          z.strictObject(
            {
              import: field.nonEmpty("Your own source: a module relative to the definition's folder, `./reader.ts`."),
              export: field.nonEmpty('The export: a source, or a function `(params) => source`. Default `default`.').optional(),
              params: field.jsonMap('What the exported function is called with.').optional(),
              id: field
                .oneOf(
                  ['position', 'hash'],
                  'How records are named for resume: by `position` (default) or by a `hash` of their content, so an edited input resumes.',
                )
                .optional(),
            },
            { error: 'a map with `import`' },
          ),
        ],
        { error: 'a path, a map with `path` and format options, or a map with `import`' },
      )
      .describe(
        'Where rows come from: a file or URL in the format its extension names (`.jsonl`, `.json`, `.csv`, `.tsv`, `.parquet`, compressed `.gz`/`.zst`), a Hub dataset (`hf://datasets/<owner>/<name>`), or `-` for stdin; or `{ path, format?, delimiter?, infer?, columns?, split?, shuffle?, id? }`. Relative to the current directory; `sluice run -i` overrides it.',
      )
      .optional(),
    maxLineBytes: field
      .count('Longest input line read, in bytes; longer lines are failed rows. Default 16777216 (16 MiB). `sluice run --max-line-bytes` sets it for `-i`.')
      .optional(),
    output: z
      .union(
        [
          field.nonEmpty('A path.'),
          z.strictObject(
            {
              path: field.nonEmpty('The file, a folder ending in `/`, or a Hub dataset `hf://datasets/<owner>/<name>` to push to.'),
              format: field
                .oneOf(
                  ['ndjson', 'json', 'csv', 'tsv', 'parquet', 'hf'],
                  'The format, over the extension’s (each leaf’s file’s, for a folder; `hf`: a folder laid out as a Hub dataset).',
                )
                .optional(),
              compression: field.oneOf(['.gz', '.zst'], 'For a folder: compress each leaf’s file.').optional(),
              delimiter: field.nonEmpty('CSV/TSV: the field delimiter.').optional(),
              columns: field.names('CSV/TSV: the columns, in order.').optional(),
              rowGroupSize: field.count('Parquet: rows per row group. Default 10000.').optional(),
              chunkSize: field.count('For a folder: a new file every this many rows of a leaf (`part-00000-of-00004.parquet`).').optional(),
            },
            { error: 'a map with `path`' },
          ),
          z.strictObject(
            {
              import: field.nonEmpty("Your own sink: a module relative to the definition's folder, `./reader.ts`."),
              export: field.nonEmpty('The export: a sink, or a function `(params) => sink`. Default `default`.').optional(),
              params: field.jsonMap('What the exported function is called with.').optional(),
            },
            { error: 'a map with `import`' },
          ),
        ],
        { error: 'a path, a map with `path` and format options, or a map with `import`' },
      )
      .describe(
        'Where rows go: a file in the format its extension names, a folder ending in `/` (one file per leaf), a Hub dataset to push to (`hf://datasets/<owner>/<name>`), or `-` for stdout; or `{ path, format?, compression?, delimiter?, columns?, rowGroupSize? }`. Relative to the current directory; `sluice run -o` overrides it.',
      )
      .optional(),
    run: z
      .strictObject(
        {
          budget: field.count('Most source records in flight at once. Default 1024.').optional(),
          onError: field.oneOf(['skip', 'fail'], 'Default policy for failing rows: `skip` (default) or `fail`.').optional(),
          maxFailureRate: z
            .number({ error: 'a number from 0 to 1' })
            .min(0, { error: 'a number from 0 to 1' })
            .max(1, { error: 'a number from 0 to 1' })
            .describe('Stops the run when failed rows exceed this share of the records read.')
            .optional(),
          minRecords: field.count('Records to read before `maxFailureRate` applies. Default 100.').optional(),
        },
        { error: 'a map of run defaults' },
      )
      .describe('Run defaults: `budget`, `onError`, `maxFailureRate`, `minRecords`.')
      .optional(),
    llms: z
      .record(z.string().min(1), z.unknown(), { error: 'a map of LLM names to declarations' })
      .describe('LLMs by name, each `{ model, baseURL?, params?, concurrency?, rpm?, tpm?, timeoutMs? }`; steps name them with `llm:`.')
      .optional(),
    steps: z.array(z.unknown(), { error: 'a list of steps' }).describe('The steps, in order: each `- kind: { params }`.'),
  },
  { error: 'a map with `name` and `steps`' },
);

export type PipelineDefinition = z.output<typeof pipelineDefinitionSchema>;
