/**
 * `pipelineStep`: a pipeline (or chain) used as one step of another. Its steps run in place, named
 * under it in the summary and the graph (`judging/rate`), and its row types carry over: the outer
 * rows must have what the inner pipeline starts from, and what it ends with is what comes out.
 * Only its steps are used; its source and sinks, if it has any, are not.
 * @module
 */
import { type OperatorFunction, tap } from 'rxjs';
import type { Chain } from '../core/chain.ts';
import type { Columns } from '../core/columns.ts';
import { defineStep } from '../core/define-step.ts';
import type { Envelope } from '../core/envelope.ts';
import { SluiceConfigError } from '../core/errors.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';

/** A pipeline or chain to nest: its steps, and a name for the step (a pipeline's own name by default). */
export type NestedPipeline<In, Out> = Chain<Out, any, In> & { readonly name?: string };

/**
 * @example
 * const judging = pipeline<{ instruction: string; generations: string[] }>('judging').pipe(ultraFeedback({ llm: judge }), …);
 * pipeline('main').from(prompts).pipe(broadcast({ … }), join({ … }), pipelineStep(judging))
 */
export function pipelineStep<In, Out>(inner: NestedPipeline<In, Out>, options: StepOptions = {}): Step<In, Out> {
  if (!inner || !Array.isArray(inner.steps)) {
    throw new SluiceConfigError('Expected a pipeline or a chain of steps to nest, such as `pipeline(…).pipe(…)`.');
  }
  if (inner.steps.length === 0) {
    throw new SluiceConfigError(`Pipeline \`${inner.name ?? 'chain'}\` has no steps to nest: give it some with \`.pipe(…)\`.`);
  }
  const steps = inner.steps;
  const name = options.name ?? inner.name;
  return defineStep<In, Out>({
    kind: 'pipeline',
    ...(name !== undefined ? { name } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    named: options.name !== undefined,
    ownsPermits: true,
    params: { pipeline: inner.name ?? null },
    // One unnamed branch: its steps are named `<step>/<inner step>`.
    branches: { '': steps },
    columnsAfter: (_input: Columns, outputs?: Readonly<Record<string, Columns>>) => outputs?.[''] ?? _input,
    operator: (ctx) => {
      const inner = ctx.compile(steps, ctx.step) as OperatorFunction<Envelope<In>, Envelope<Out>>;
      // Its own counts are the rows it hands to its steps (as `broadcast` counts them); theirs follow.
      const handed = tap<Envelope<In>>(() => {
        enter(ctx.stats);
        ctx.stats.out++;
        ctx.stats.emitted++;
      });
      return (rows) => inner(rows.pipe(handed));
    },
  });
}
