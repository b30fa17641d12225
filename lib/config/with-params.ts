/**
 * `withParams`: a pipeline with some step params changed, for `sluice run --set step.param=value`.
 * The step is rebuilt through the registry from its params, so only steps the registry can
 * write down (built-in and `import:` steps) can be changed.
 * @module
 */
import { parse } from 'yaml';
import { Pipeline } from '../pipeline/pipeline.ts';
import { nameSteps } from '../core/step-names.ts';
import type { AnyStep } from '../core/step.ts';
import type { Llm } from '../llm/client.ts';
import { DefinitionError } from './definition-error.ts';
import { llmsOf } from './llms-of.ts';
import { didYouMean, quoteList } from './names.ts';
import { keysOf, schemaAt } from './schema-at.ts';
import { StepBuilder } from './step-builder.ts';
import type { SaveContext } from './step-kind.ts';
import { type StepRegistry, stepRegistry } from './step-registry.ts';
import { branchPrefix } from '../core/branch-prefix.ts';

export interface WithParamsOptions {
  /** The step kinds to rebuild with. Default `stepRegistry`. */
  registry?: StepRegistry;
}

interface Located {
  /** As in the run summary: `question`, `fan/a/question`. */
  readonly name: string;
  readonly step: AnyStep;
  /** Indexes and branch names from the top-level step list down to the step. */
  readonly at: ReadonlyArray<number | string>;
}

function locate(steps: readonly AnyStep[], prefix = '', at: ReadonlyArray<number | string> = [], taken = new Set<string>()): Located[] {
  const names = nameSteps(steps, prefix, taken);
  return steps.flatMap((step, i) => [
    { name: names[i]!, step, at: [...at, i] },
    ...Object.entries(step.branches ?? {}).flatMap(([branch, inner]) => locate(inner, branchPrefix(names[i]!, branch), [...at, i, branch], taken)),
  ]);
}

/** Turns a step's params back into a definition whose branches hold the built steps themselves. */
const passThrough: SaveContext = {
  llm: (llm) => llm.name,
  steps: (steps) => [...steps],
  moduleSpecifier: (file) => file,
};

/** The value of a `--set`: a number, `true`/`false`, `null`, JSON or YAML when the param takes that, else the text. */
function typedValue(raw: string, accepts: (value: unknown) => boolean): unknown {
  let typed: unknown;
  try {
    // Silent: `{{ x }}` parses as a map with a map for key, and the YAML library would warn on stderr.
    typed = parse(raw, { schema: 'core', logLevel: 'silent' });
  } catch {
    return raw;
  }
  if (typed !== undefined && accepts(typed)) return typed;
  return accepts(raw) ? raw : (typed ?? raw);
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(target) ? ([...target] as never) : { ...target };
  if (rest.length === 0) copy[head] = value;
  else {
    const inner = copy[head];
    copy[head] = setIn(inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}, rest, value);
  }
  return copy;
}

/**
 * Returns `pipeline` with params changed: `{ 'question.prompt': 'Ask about {{ subtopic }}.' }`.
 * Keys are `step.param`, where `step` is the step's name as the run summary shows it (`fan/a/question`
 * inside branches) and `param` may go into maps (`question.params.temperature`). Values are
 * strings, typed by the param's schema: numbers, `true`/`false`, JSON or YAML for maps and lists.
 * Unknown steps or params are errors with suggestions; so are steps built with your own code.
 * @example
 * const tuned = withParams(await loadDefinition('qa.yaml'), { 'question.params.temperature': '0.2', 'question.concurrency': '8' });
 */
export function withParams<R>(pipeline: Pipeline<R>, sets: Readonly<Record<string, string>>, options: WithParamsOptions = {}): Pipeline<R> {
  const { registry = stepRegistry } = options;
  const llms: Record<string, Llm> = Object.fromEntries(llmsOf(pipeline).map((llm) => [llm.name, llm]));
  let steps = pipeline.steps;

  for (const [key, raw] of Object.entries(sets)) {
    const hint = `(from \`--set ${key}=${raw}\`)`;
    const fail = (message: string) => new DefinitionError('SLUICE_DEFINITION_UNSAVEABLE', `${message} ${hint}`);
    const located = locate(steps);
    const byName = new Map(located.map((entry) => [entry.name, entry]));
    // The longest `step` prefix that names a step: step names may hold dots.
    let target: Located | undefined;
    let paramPath: string[] = [];
    const parts = key.split('.');
    for (let cut = parts.length - 1; cut >= 1 && !target; cut--) {
      target = byName.get(parts.slice(0, cut).join('.'));
      if (target) paramPath = parts.slice(cut);
    }
    if (!target) {
      if (parts.length < 2) throw fail(`Expected \`--set\` to name a step and a param, \`step.param=value\`, got \`${key}\`.`);
      const first = parts[0]!;
      if (Object.hasOwn(llms, first)) {
        throw fail(
          `\`${first}\` is an LLM, not a step: \`--set\` changes step params. Change the LLM under \`llms:\` in the definition (its values can read \`\${ENV}\` variables).`,
        );
      }
      const names = located.map((entry) => entry.name);
      throw fail(`No step \`${first}\` to set \`${parts.slice(1).join('.')}\` on.${didYouMean(first, names, (all) => `Steps: ${quoteList(all, 'and')}.`)}`);
    }

    const definition = registry.definitionOf(target.step, passThrough);
    if ('unsaveable' in definition) {
      throw fail(`Step \`${target.name}\` cannot take \`--set\`: ${definition.unsaveable}. Change it in code.`);
    }
    const [kind, params] = Object.entries(definition)[0]!;
    const schema = registry.get(kind)!.schema;
    const param = schemaAt(schema, paramPath);
    if (!param) {
      const known = paramPath.length === 1 ? keysOf(schema) : keysOf(schemaAt(schema, paramPath.slice(0, -1))?.schema ?? schema);
      const wrong = paramPath.at(-1)!;
      throw fail(
        `Step \`${target.name}\` (${kind}) has no param \`${paramPath.join('.')}\`.${didYouMean(wrong, known, (all) => `Its params: ${quoteList(all, 'and')}.`)}`,
      );
    }
    const value = typedValue(raw, (candidate) => param.schema.safeParse(candidate).success);
    // An `import:` step's module is named by its absolute file (the definition vetted it when it loaded).
    const builder = new StepBuilder({ registry, llms, hint, allowImport: 'any' });
    let rebuilt = builder.step({ [kind]: setIn(params, paramPath, value) }, []);

    // Rebuild the steps that hold it, innermost first, with the new step in its branch.
    const at = target.at;
    for (let depth = at.length - 3; depth >= 0; depth -= 2) {
      const parent = stepAt(steps, at.slice(0, depth + 1));
      const branch = at[depth + 1] as string;
      const index = at[depth + 2] as number;
      const parentDefinition = registry.definitionOf(parent, passThrough);
      if ('unsaveable' in parentDefinition) {
        throw fail(`Step \`${target.name}\` cannot take \`--set\`: the step holding it cannot be rebuilt, as ${parentDefinition.unsaveable}.`);
      }
      const [parentKind, parentParams] = Object.entries(parentDefinition)[0]!;
      const branches = { ...(parentParams.branches as Record<string, unknown[]>) };
      branches[branch] = branches[branch]!.map((step, i) => (i === index ? rebuilt : step));
      rebuilt = builder.step({ [parentKind]: { ...parentParams, branches } }, []);
    }
    steps = steps.map((step, i) => (i === at[0] ? rebuilt : step));
  }
  return new Pipeline<R>({ name: pipeline.name, steps, source: pipeline.source, sink: pipeline.sink, failed: pipeline.failed, defaults: pipeline.defaults });
}

function stepAt(steps: readonly AnyStep[], at: ReadonlyArray<number | string>): AnyStep {
  let step = steps[at[0] as number]!;
  for (let i = 1; i < at.length; i += 2) step = step.branches![at[i] as string]![at[i + 1] as number]!;
  return step;
}
