/**
 * `withMappings`: input and output column mappings for any step, like distilabel's
 * `input_mappings` / `output_mappings`.
 * - `inputs: { question: 'prompt' }`: the step reads `question`, taken from the row's `prompt`.
 * - `outputs: { generation: 'answer' }`: the step's `generation` column is renamed `answer`.
 * The borrowed input columns are removed again after the step (unless the step itself produces them).
 * @module
 */
import { map as rxMap, pipe } from 'rxjs';
import { withColumns, type Columns } from './columns.ts';
import type { Envelope } from './envelope.ts';
import { SluiceConfigError } from './errors.ts';
import type { AnyStep, Step } from './step.ts';

export interface Mappings {
  /** Column the step reads → row column it is taken from. */
  inputs?: Readonly<Record<string, string>>;
  /** Column the step writes → name it gets in the row. */
  outputs?: Readonly<Record<string, string>>;
}

function checkMapping(which: string, mapping: Readonly<Record<string, string>> | undefined): [string, string][] {
  if (mapping === undefined) return [];
  if (typeof mapping !== 'object' || mapping === null) {
    throw new SluiceConfigError(`Expected \`${which}\` to map column names to column names, got \`${String(mapping)}\``);
  }
  const pairs = Object.entries(mapping);
  for (const [from, to] of pairs) {
    if (typeof to !== 'string' || to === '') {
      throw new SluiceConfigError(`Expected \`${which}.${from}\` to be a column name, got \`${String(to)}\``);
    }
  }
  return pairs;
}

/**
 * @example
 * pipeline('p').from(rows).pipe(withMappings(generate({ llm, prompt: 'Answer {{ question }}' }), { inputs: { question: 'prompt' }, outputs: { generation: 'answer' } }))
 */
export function withMappings<In = any, Out = any>(step: Step<any, any>, mappings: Mappings): Step<In, Out> {
  const inputs = checkMapping('inputs', mappings.inputs);
  const outputs = checkMapping('outputs', mappings.outputs);
  const borrowed = inputs.map(([need]) => need);
  // Columns the step makes itself: what it leaves on a row that had none.
  const produced = new Set(step.columnsAfter({ known: new Set(), open: false } as Columns).known);
  const wrapped: AnyStep = {
    ...step,
    needs: step.needs.map((need) => mappings.inputs?.[need] ?? need),
    params: { ...step.params, mappings: { inputs: mappings.inputs ?? null, outputs: mappings.outputs ?? null } },
    columnsAfter(input, branchOutputs) {
      const inner = step.columnsAfter(withColumns(input, borrowed), branchOutputs);
      const known = new Set(inner.known);
      for (const need of borrowed) if (!input.known.has(need) && !produced.has(need)) known.delete(need);
      for (const [from, to] of outputs) {
        if (known.delete(from)) known.add(to);
      }
      return { known, open: inner.open };
    },
    operator(ctx) {
      const inner = step.operator(ctx);
      // Borrowed columns go again after the step, unless the step makes them itself.
      const drop = borrowed.filter((need) => !produced.has(need));
      return pipe(
        rxMap((envelope: Envelope<any>) => {
          const row = { ...(envelope.row as Record<string, unknown>) };
          for (const [need, column] of inputs) row[need] = row[column];
          envelope.row = row;
          return envelope;
        }),
        inner,
        rxMap((envelope: Envelope<any>) => {
          const row = { ...(envelope.row as Record<string, unknown>) };
          for (const need of drop) {
            if (!inputs.some(([, column]) => column === need)) delete row[need];
          }
          for (const [from, to] of outputs) {
            if (from in row) {
              row[to] = row[from];
              delete row[from];
            }
          }
          envelope.row = row;
          return envelope;
        }),
      );
    },
  };
  return wrapped as Step<In, Out>;
}
