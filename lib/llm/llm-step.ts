/**
 * The machinery every LLM step shares: bounded concurrency (`mergeMap`), cancellation through
 * `AbortSignal` (unsubscribing aborts the HTTP request), per-row failures as failed rows,
 * the metadata column, and registering the LLM for the summary.
 * @module
 */
import { mergeMap, Observable } from 'rxjs';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { childOf, type Envelope } from '../core/envelope.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepContext, StepOptions } from '../core/step.ts';
import { withColumns } from '../core/columns.ts';
import type { Llm } from './client.ts';
import { LlmRegistry } from './llm-registry.ts';

/** The key under which LLM steps put their metadata, per step: `row._sluice[step]`. */
export const METADATA_KEY = '_sluice';

export interface LlmStepOptions<As extends string> extends StepOptions {
  llm: Llm;
  /** Output column. */
  as?: As;
  /** Rows in flight in this step. Default: 64. The LLM's own `concurrency` still caps its requests. */
  concurrency?: number;
  /** Adds `_sluice.<step>` with model, usage, finish_reason, request id (default true). */
  metadata?: boolean;
  /** Template variables read from other columns: `{ question: 'prompt' }` reads `question` from column `prompt`. */
  inputs?: Readonly<Record<string, string>>;
  /** Use the run's request cache for this step (default true). */
  cache?: boolean;
}

/** What one row's LLM work produced. */
export interface LlmOutcome {
  /** One value per output row: one for most steps; `n` when samples become rows. */
  values: unknown[];
  /** Whether `values` become one row each (`rows`) or the list is the column value (`list`, `single`). */
  shape: 'single' | 'list' | 'rows';
  metadata: Record<string, unknown>;
}

export interface LlmStepSpec<As extends string> {
  kind: string;
  options: LlmStepOptions<As>;
  defaultAs: string;
  /** Columns the step reads (template variables, after `inputs` mapping). */
  variables: readonly string[];
  params: Record<string, unknown>;
  /** Does the LLM work for one row (already mapped through `inputs`). Throw to fail the row. */
  work(row: Record<string, unknown>, signal: AbortSignal, ctx: StepContext): Promise<LlmOutcome>;
}

/** Applies `inputs` mapping: the template sees `question` where the row has `prompt`. */
export function mappedRow(row: Record<string, unknown>, inputs: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  if (!inputs) return row;
  const view = { ...row };
  for (const [variable, column] of Object.entries(inputs)) view[variable] = row[column];
  return view;
}

export function llmStep<In, Out>(spec: LlmStepSpec<string>): Step<In, Out> {
  const { options } = spec;
  const as = options.as ?? spec.defaultAs;
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? 64);
  const metadata = options.metadata ?? true;
  const inputs = options.inputs;
  const needs = spec.variables.map((v) => inputs?.[v] ?? v);
  return defineStep<In, Out>({
    kind: spec.kind,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
    needs,
    params: { llm: options.llm.name, model: options.llm.model, as, ...spec.params },
    columnsAfter: (input) => withColumns(input, metadata ? [as, METADATA_KEY] : [as]),
    operator: (ctx) => {
      const registry = LlmRegistry.of(ctx);
      registry.add(options.llm, ctx);
      return (source) =>
        source.pipe(
          mergeMap((envelope: Envelope<any>) => {
            enter(ctx.stats);
            return new Observable<Envelope<any>>(function subscribeLlmRow(subscriber) {
              const abort = new AbortController();
              const onHardStop = () => abort.abort(ctx.signal.reason);
              ctx.signal.addEventListener('abort', onHardStop, { once: true });
              let settled = false;
              spec.work(mappedRow(envelope.row, inputs), AbortSignal.any([abort.signal, ctx.signal]), ctx).then(
                (outcome) => {
                  settled = true;
                  if (outcome.metadata.simulated) registry.markSimulated(options.llm.name);
                  const withMeta = (row: Record<string, unknown>, value: unknown) => {
                    const next: Record<string, unknown> = { ...row, [as]: value };
                    if (metadata) {
                      const existing = (row[METADATA_KEY] as Record<string, unknown> | undefined) ?? {};
                      next[METADATA_KEY] = { ...existing, [ctx.step]: outcome.metadata };
                    }
                    return next;
                  };
                  ctx.stats.out++;
                  if (outcome.shape === 'rows') {
                    if (outcome.values.length === 0) {
                      ctx.stats.out--;
                      ctx.drop(envelope);
                    } else {
                      outcome.values.forEach((value, i) => {
                        ctx.stats.emitted++;
                        subscriber.next(childOf(envelope, withMeta(envelope.row, value), i));
                      });
                      envelope.permit.release();
                    }
                  } else {
                    envelope.row = withMeta(envelope.row, outcome.shape === 'single' ? outcome.values[0] : outcome.values);
                    ctx.stats.emitted++;
                    subscriber.next(envelope);
                  }
                  subscriber.complete();
                },
                (error: unknown) => {
                  settled = true;
                  ctx.fail(envelope, error, { attempts: (error as { attempts?: number }).attempts ?? 1, ...((error as { raw?: string }).raw !== undefined ? { raw: (error as { raw: string }).raw } : {}) });
                  subscriber.complete();
                },
              );
              return () => {
                ctx.signal.removeEventListener('abort', onHardStop);
                // Unsubscribed before the answer came (the consumer went away): cancel the HTTP request.
                if (!settled) abort.abort(new Error('cancelled'));
              };
            });
          }, (ctx.services.get('concurrency') as number | undefined) ?? concurrency),
        );
    },
  });
}
