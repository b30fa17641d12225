/**
 * `genstruct`: a question and its answer grounded in a document, as Genstruct (Nous Research,
 * 2024) makes instruction data from raw text: the question needs the document to be answered, and
 * the answer reasons from it step by step.
 *
 * Prompt (user):
 * > From the document below, write one question a reader could ask that needs the document to
 * > answer, and answer it from the document, reasoning step by step.
 * > Title: {{ title }}  Document: {{ content }}
 * @module
 */
import { z } from 'zod';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface GenstructOptions extends TaskOptions {
  /** The column with the document's title. Default `title`. */
  title?: string;
  /** The column with the document's text. Default `content`. */
  content?: string;
}

/**
 * @example
 * genstruct({ llm }) // adds user: string, assistant: string
 */
export function genstruct<R>(options: GenstructOptions): Step<R, Adds<{ user: string; assistant: string }>> {
  return structuredTask({
    kind: 'genstruct',
    options,
    prompt:
      'From the document below, write one question a reader could ask that needs the document to answer, ' +
      'and answer it from the document, reasoning step by step.\n\nTitle: {{ title }}\n\nDocument:\n{{ content }}',
    inputs: { title: options.title ?? 'title', content: options.content ?? 'content' },
    schema: z.object({ question: z.string().min(1), answer: z.string().min(1) }),
    columns: { question: 'user', answer: 'assistant' },
    params: { title: options.title ?? 'title', content: options.content ?? 'content' },
  });
}
