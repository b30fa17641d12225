/**
 * `textClassification`: a label for a text, from a fixed set or in the model's own words, one or
 * several per text. Follows the zero-shot classification task of distilabel (and the LLM-labelling
 * prompts it cites): the labels and what they mean go in the prompt, the answer is structured.
 *
 * Prompt (system, then user):
 * > You label texts. {{ context }} Answer with JSON only.
 * > Text: {{ text }} — Give {the one label | every label} that fits, from: a, b, c.
 * @module
 */
import { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface TextClassificationOptions extends TaskOptions {
  /** The column with the text. Default `text`. */
  text?: string;
  /** The labels allowed; none: the model names its own. */
  labels?: readonly string[];
  /** Several labels per text (a `labels` list) instead of one (`label`). Default false. */
  multiLabel?: boolean;
  /** What the texts are and what the labels mean, for the prompt. */
  context?: string;
}

/**
 * @example
 * textClassification({ llm, labels: ['positive', 'negative', 'neutral'], context: 'Product reviews, by sentiment.' })
 */
export function textClassification<R>(options: TextClassificationOptions & { multiLabel: true }): Step<R, Adds<{ labels: string[] }>>;
export function textClassification<R>(options: TextClassificationOptions): Step<R, Adds<{ label: string }>>;
export function textClassification(options: TextClassificationOptions): Step<any, any> {
  const labels = options.labels;
  if (labels !== undefined && (labels.length === 0 || labels.some((label) => typeof label !== 'string' || label === ''))) {
    throw new SluiceConfigError('Expected `labels` to be a non-empty list of non-empty strings.');
  }
  const label = labels ? z.enum(labels as [string, ...string[]]) : z.string().min(1);
  const multi = options.multiLabel === true;
  const choices = labels ? ` from: ${labels.join(', ')}` : ', in a word or two';
  return structuredTask({
    kind: 'textClassification',
    options,
    system: `You label texts.${options.context ? ` ${options.context}` : ''} Answer with JSON only.`,
    prompt: `Text:\n{{ text }}\n\nGive ${multi ? 'every label that fits' : 'the one label that fits best'}${choices}.`,
    inputs: { text: options.text ?? 'text' },
    schema: multi ? z.object({ labels: z.array(label).min(1) }) : z.object({ label }),
    columns: (multi ? { labels: 'labels' } : { label: 'label' }) as never,
    params: { text: options.text ?? 'text', labels: labels ?? null, multiLabel: multi, context: options.context ?? null },
  });
}
