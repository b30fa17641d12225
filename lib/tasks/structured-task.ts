/**
 * What the ready-made tasks are built on: a `structured` LLM step with the task's own prompt and
 * schema, whose reply's fields become columns of the row (`ratings`, `rationales`) rather than one
 * object in one column. The step keeps the task's name as its kind, and the task's options as its
 * params, for the summary, the graph and saved definitions.
 * @module
 */
import type { z } from 'zod';
import type { Step } from '../core/step.ts';
import type { Llm, SamplingParams } from '../llm/client.ts';
import { structured } from '../llm/structured.ts';
import { REPLY, spreadReply } from './spread-reply.ts';

export interface TaskOptions {
  llm: Llm;
  /** The step's name. Default: the task's. */
  name?: string;
  /** Sampling parameters for the request (temperature…). */
  params?: SamplingParams;
  /** Adds `_sluice.<step>` with model, usage, request id (default true). */
  metadata?: boolean;
  /** Rows in flight in this step (see `generate`). */
  concurrency?: number;
  onError?: 'skip' | 'fail';
}

export interface StructuredTaskSpec<S extends z.ZodObject> {
  /** The task's name: the step's kind, and its name in definitions. */
  kind: string;
  options: TaskOptions;
  system?: string;
  /** The user message, a template over the variables in `inputs`. */
  prompt: string;
  /** Template variables read from columns: `{ instruction: 'prompt' }`. */
  inputs: Readonly<Record<string, string>>;
  schema: S;
  /** The schema for a row whose list in `column` has `n` items (as many scores as responses); made once per `n`. */
  perItem?: { readonly column: string; readonly schema: (n: number) => S };
  /** The task's own options, JSON-safe, for the summary and saved definitions. */
  params: Readonly<Record<string, unknown>>;
  /** The reply's fields as the row's columns, renamed: `{ ratings: 'ratings' }`. */
  columns?: Readonly<Record<keyof z.infer<S> & string, string>>;
  /** Or the columns computed from the reply and the row (`chosen`, `rejected` from scores), and their names. */
  derive?: { readonly adds: readonly string[]; readonly fn: (reply: z.infer<S>, row: Readonly<Record<string, unknown>>) => Record<string, unknown> };
}

/** A task step's params: its own options, then its LLM and the LLM options it was given. */
export function taskParams(options: TaskOptions, own: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    ...own,
    llm: options.llm.name,
    model: options.llm.model,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.metadata === false ? { metadata: false } : {}),
    ...(options.params ? { params: options.params } : {}),
  };
}

/** The LLM step options a task passes on: its LLM, and the options every LLM step has. */
export function innerStepOptions(options: TaskOptions): Record<string, unknown> {
  return {
    llm: options.llm,
    ...(options.params ? { params: options.params } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
}

export function structuredTask<S extends z.ZodObject>(spec: StructuredTaskSpec<S>): Step<any, any> {
  const { options, columns } = spec;
  const inner = structured({
    ...innerStepOptions(options),
    name: options.name ?? spec.kind,
    prompt: spec.prompt,
    ...(spec.system !== undefined ? { system: spec.system } : {}),
    schema: spec.schema,
    ...(spec.perItem ? { schemaFor: perItemSchema(spec.perItem.column, spec.perItem.schema) } : {}),
    schemaName: spec.kind,
    inputs: spec.inputs,
    as: REPLY,
  } as never) as Step<any, any>;
  return spreadReply(inner, {
    kind: spec.kind,
    named: options.name !== undefined,
    params: taskParams(options, spec.params),
    adds: spec.derive ? spec.derive.adds : (Object.values(columns ?? {}) as string[]),
    spread: (reply, row) => {
      if (spec.derive) return spec.derive.fn(reply as z.infer<S>, row);
      const out: Record<string, unknown> = {};
      for (const [field, column] of Object.entries(columns ?? {})) out[column as string] = (reply as Record<string, unknown>)[field];
      return out;
    },
  });
}

/** A row's schema from the length of its list in `column`, each length's schema made once. */
function perItemSchema<S>(column: string, make: (n: number) => S): (row: Readonly<Record<string, unknown>>) => S {
  const made = new Map<number, S>();
  return (row) => {
    const value = row[column];
    // Not a list: the step's own checks report that; a schema for no items keeps the reply checkable.
    const n = Array.isArray(value) ? value.length : 0;
    let schema = made.get(n);
    if (!schema) made.set(n, (schema = make(n)));
    return schema;
  };
}
