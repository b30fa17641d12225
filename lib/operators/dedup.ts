/**
 * `dedup`: drops near-duplicate rows, keeping the first to arrive. By text (`text: column`):
 * MinHash over word 3-grams, a row dropped when its estimated Jaccard similarity to a kept row
 * reaches `threshold` (default 0.8). By embedding (`embedding: column`, a list of numbers, as
 * `embed` adds): a row dropped when its cosine similarity to a kept row reaches `threshold`
 * (default 0.95). Dropped rows are counted as filtered. The step keeps a summary of every row it
 * kept (about 512 bytes a text, or the vector), so its memory grows with the distinct rows.
 * @module
 */
import { Observable } from 'rxjs';
import { defineStep } from '../core/define-step.ts';
import type { Envelope } from '../core/envelope.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { CosineIndex } from './cosine-index.ts';
import { MinHashIndex } from './min-hash-index.ts';

export interface DedupOptions extends StepOptions {
  /** The column with the text to compare (MinHash). */
  text?: string;
  /** The column with an embedding to compare (cosine). */
  embedding?: string;
  /** The similarity from which a row is a duplicate: Jaccard for text (default 0.8), cosine for embeddings (default 0.95). */
  threshold?: number;
}

/**
 * @example
 * pipeline('p').pipe(dedup({ text: 'instruction', threshold: 0.7 }), embed({ llm, text: '{{ answer }}', as: 'vector' }), dedup({ embedding: 'vector' }))
 */
export function dedup<R>(options: DedupOptions): Step<R, R> {
  const { text, embedding } = options;
  if ((text === undefined) === (embedding === undefined)) {
    throw new SluiceConfigError('Give `dedup` one of `text` (a column of text, compared by MinHash) or `embedding` (a column of vectors, compared by cosine).');
  }
  const threshold = options.threshold ?? (text !== undefined ? 0.8 : 0.95);
  if (!(typeof threshold === 'number' && threshold > 0 && threshold <= 1)) {
    throw new SluiceConfigError(`Expected \`threshold\` to be a number above 0 and at most 1, got \`${String(threshold)}\``);
  }
  const column = (text ?? embedding)!;
  return defineStep<R, R>({
    ownsPermits: true,
    kind: 'dedup',
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    needs: [column],
    params: { ...(text !== undefined ? { text } : { embedding }), threshold },
    operator: (ctx) => (source) =>
      new Observable<Envelope<R>>((subscriber) => {
        // One index per run: what was kept is the run's own.
        const index = text !== undefined ? new MinHashIndex(threshold) : new CosineIndex(threshold);
        return source.subscribe({
          next(envelope) {
            enter(ctx.stats);
            const value = (envelope.row as Record<string, unknown>)[column];
            let near: number | undefined;
            try {
              if (text !== undefined) {
                if (typeof value !== 'string')
                  throw new SluiceError(`Column \`${column}\` is ${value === undefined ? 'missing' : `a ${typeof value}`}, not text.`);
                near = (index as MinHashIndex).addUnlessNear(value);
              } else {
                if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'number')) {
                  throw new SluiceError(`Column \`${column}\` is not a list of numbers (an embedding).`);
                }
                near = (index as CosineIndex).addUnlessNear(value as number[]);
              }
            } catch (error) {
              ctx.fail(envelope, error);
              return;
            }
            if (near !== undefined) {
              ctx.drop(envelope);
              return;
            }
            ctx.stats.out++;
            ctx.stats.emitted++;
            subscriber.next(envelope);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      }),
  });
}
