/**
 * `embed` in definitions: embeddings of a template over each row, sent in batches.
 * `- embed: { llm: embedder, text: "{{ question }}", size: 128 }`
 * @module
 */
import { batchField } from '../batch-field.ts';
import { z } from 'zod';
import type { Llm } from '../../llm/client.ts';
import { embed } from '../../llm/embed.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { llmOptions, unlessDefault } from './llm-step-params.ts';

export const embedKind = defineKind({
  description: 'Embeddings of a template over each row, one request per batch of rows.',
  schema: z.strictObject(
    {
      ...stepOptions,
      llm: field.nonEmpty('The LLM to call: a name declared under `llms:`.'),
      text: field.text('The text to embed, a liquid template over row columns: `{{ question }}`.'),
      as: field.nonEmpty('Output column for the vector. Default `embedding`.').optional(),
      size: field.count('Rows per request. Default 64.').optional(),
      maxWaitMs: z
        .number({ error: 'a number of milliseconds from 0 and up' })
        .min(0, { error: 'a number of milliseconds from 0 and up' })
        .describe('A partial batch is sent after this many milliseconds. Default 50.')
        .optional(),
      concurrency: field.count('Requests in flight at once. Default 4.').optional(),
      dimensions: field.count('Embedding size, for models that take one.').optional(),
      metadata: field.flag('Adds `_sluice.<step>` metadata. Default `true`.').optional(),
      cache: field.flag("Use the run's request cache, per text. Default `true`.").optional(),
      batch: batchField.optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params, ctx) => embed(llmOptions(params, ctx.llm(params.llm))),
  paramsOf(step, ctx) {
    const llm = step.resources?.llm as Llm | undefined;
    if (!llm) return undefined;
    const p = step.params;
    const out: Record<string, unknown> = { llm: ctx.llm(llm), text: p.text };
    unlessDefault(out, 'as', p.as, 'embedding');
    unlessDefault(out, 'size', p.size, 64);
    unlessDefault(out, 'maxWaitMs', p.maxWaitMs, 50);
    const batch = (p.batch ?? llm.options?.batch) !== undefined && (p.batch ?? llm.options?.batch) !== false;
    unlessDefault(out, 'concurrency', p.concurrency, batch ? Number.POSITIVE_INFINITY : 4);
    unlessDefault(out, 'dimensions', p.dimensions);
    unlessDefault(out, 'metadata', p.metadata, true);
    unlessDefault(out, 'cache', p.cache, true);
    unlessDefault(out, 'batch', p.batch, false);
    return out;
  },
});
