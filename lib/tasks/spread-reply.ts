/**
 * A task step whose LLM step writes one hidden column (`__task_reply`), turned into the task's
 * own columns as the row leaves: the step keeps the task's name as its kind and the task's
 * options as its params, for the summary, the graph and saved definitions.
 * @module
 */
import { map } from 'rxjs';
import { withColumns } from '../core/columns.ts';
import type { Envelope } from '../core/envelope.ts';
import type { Step } from '../core/step.ts';

/** The hidden column the inner step writes. */
export const REPLY = '__task_reply';

export interface SpreadReplyOptions {
  kind: string;
  /** Whether the user named the step. */
  named: boolean;
  params: Readonly<Record<string, unknown>>;
  /** The columns `spread` adds. */
  adds: readonly string[];
  spread: (reply: unknown, row: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

export function spreadReply(inner: Step<any, any>, options: SpreadReplyOptions): Step<any, any> {
  return {
    ...inner,
    kind: options.kind,
    named: options.named,
    params: options.params,
    columnsAfter: (input) => withColumns(inner.columnsAfter(input), options.adds, [REPLY]),
    operator: (ctx) => {
      const operator = inner.operator(ctx);
      return (source) =>
        operator(source).pipe(
          map((envelope: Envelope<any>) => {
            const { [REPLY]: reply, ...row } = envelope.row as Record<string, unknown>;
            envelope.row = Object.assign(row, options.spread(reply, row));
            return envelope;
          }),
        );
    },
  };
}
