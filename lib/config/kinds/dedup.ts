/**
 * `dedup` in definitions: near-duplicate rows dropped, by text or by embedding.
 * `- dedup: { text: instruction, threshold: 0.7 }`, `- dedup: { embedding: vector }`
 * @module
 */
import { z } from 'zod';
import { dedup } from '../../operators/dedup.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';

export const dedupKind = defineKind({
  description:
    'Drops near-duplicate rows, keeping the first: by `text` (MinHash, Jaccard ≥ 0.8) or by `embedding` (cosine ≥ 0.95); `threshold` sets the bound.',
  schema: z.strictObject(
    {
      ...stepOptions,
      text: field.nonEmpty('The column with the text to compare.').optional(),
      embedding: field.nonEmpty('The column with the embedding to compare.').optional(),
      threshold: field.number('The similarity from which a row is a duplicate (0..1).').optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params) => dedup(params),
  paramsOf: (step) => ({ ...step.params }),
});
