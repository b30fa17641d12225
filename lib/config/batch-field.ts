/**
 * `batch:` in definitions, on an LLM under `llms:` or on one LLM step: `true`, or the options of
 * the batch API (see `BatchOptions`).
 * @module
 */
import { z } from 'zod';
import { field } from './fields.ts';

export const batchField = z
  .union(
    [
      z.boolean(),
      z.strictObject(
        {
          maxRequests: field.count('Most requests in one batch. Default 50000.').optional(),
          maxBytes: field.count('Largest request file, in bytes. Default 199229440 (190 MiB).').optional(),
          completionWindow: field.nonEmpty('The completion window asked for. Default `24h`.').optional(),
          flushAfterMs: field.natural('A batch is sent at the latest this long after its first request. Default 5000.').optional(),
          pollMs: z
            .union([
              field.natural('Fixed polling interval.'),
              z.strictObject({ min: field.natural('First interval.').optional(), max: field.natural('Longest interval.').optional() }),
            ])
            .describe('Polling of batches in progress, in ms: a number, or `{ min, max }`. Default 5000 to 60000.')
            .optional(),
          retries: field.natural('Times a request the batch did not answer is sent again. Default 2.').optional(),
          resubmit: field.oneOf(['batch', 'live'], 'Where those go: a new `batch` (default) or `live` requests.').optional(),
        },
        { error: 'a map of batch options' },
      ),
    ],
    { error: '`true`, `false`, or a map of batch options' },
  )
  .describe('Send requests through the provider’s batch API (about half the price, answers within the completion window): `true`, or options.');
