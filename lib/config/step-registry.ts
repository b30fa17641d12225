/**
 * The step registry: the step kinds a definition may name (`generate`, `scatter`, `map`…), each
 * with the zod schema of its params (whose descriptions are also the docs and type `--set`
 * values), a builder, and the way back from a built step to its params, for saving.
 * `stepRegistry` holds the built-in kinds; `register` adds yours.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { AnyStep } from '../core/step.ts';
import { builtinKinds } from './kinds/index.ts';
import { type BuildOptions, StepBuilder } from './step-builder.ts';
import type { KindCatalogue, SaveContext, StepKind, Unsaveable } from './step-kind.ts';

const KIND_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Step kinds by name. Definitions name them (`- generate: { … }`); saving and `--set` find
 * them again by the built step's `kind`.
 * @example
 * stepRegistry.register('shout', {
 *   description: 'Upper-cases a column.',
 *   schema: z.strictObject({ name: z.string().optional(), column: z.string() }),
 *   build: ({ name, column }) => map((row) => ({ ...row, [column]: String(row[column]).toUpperCase() }), { name }),
 * });
 */
export class StepRegistry implements KindCatalogue {
  readonly #kinds = new Map<string, StepKind>();
  /** The kind and params each registry-built step came from. */
  readonly #built = new WeakMap<AnyStep, { kind: string; params: Readonly<Record<string, unknown>> }>();

  /** Registers `kind`. An existing kind is an error unless `replace` is set. Returns the registry. */
  register(kind: string, entry: StepKind, { replace = false }: { replace?: boolean } = {}): this {
    if (typeof kind !== 'string' || !KIND_NAME.test(kind)) {
      throw new SluiceConfigError(`Expected the step kind to be a name of letters, digits, \`_\` and \`-\`, starting with a letter, got \`${String(kind)}\``);
    }
    if (entry === null || typeof entry !== 'object' || typeof entry.build !== 'function' || typeof entry.schema?.safeParse !== 'function') {
      throw new SluiceConfigError(`Expected step kind \`${kind}\` to have a zod \`schema\` and a \`build\` function.`);
    }
    if (this.#kinds.has(kind) && !replace) {
      throw new SluiceConfigError(`Step kind \`${kind}\` is already registered. Pick another name, or pass \`{ replace: true }\`.`);
    }
    this.#kinds.set(kind, entry);
    return this;
  }

  /** The kind registered as `kind`. */
  get(kind: string): StepKind | undefined {
    return this.#kinds.get(kind);
  }

  /** Every registered kind name, in registration order. */
  kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** A copy with the same kinds, to register more without changing this one. */
  clone(): StepRegistry {
    const copy = new StepRegistry();
    for (const [kind, entry] of this.#kinds) copy.register(kind, entry);
    return copy;
  }

  /**
   * Builds one step from a kind and its params, as a definition would, without a definition:
   * `stepRegistry.build('filter', { column: 'text', nonEmpty: true })`. LLM steps need `llms`.
   * Imports are not available here (they load asynchronously): use `loadDefinition`.
   */
  build(kind: string, params: Record<string, unknown> = {}, options: Omit<BuildOptions, 'registry'> = {}): AnyStep {
    const builder = new StepBuilder({ ...options, registry: this });
    const [step] = builder.steps([{ [kind]: params }], []);
    if (builder.pendingImports() > 0) {
      throw new SluiceConfigError('`import:` steps load their module asynchronously: use `loadDefinition` or `parseDefinition` for them.');
    }
    return step!;
  }

  /** @internal Remembers what a step was built from (by `StepBuilder`). */
  recordBuilt(step: AnyStep, kind: string, params: Readonly<Record<string, unknown>>): void {
    this.#built.set(step, { kind, params });
  }

  /**
   * The definition of a built step, `{ kind: params }` with `name` (when chosen) and `onError`
   * (when set), or `{ unsaveable }` saying why it has none.
   */
  definitionOf(step: AnyStep, ctx: SaveContext): Record<string, Record<string, unknown>> | Unsaveable {
    const recorded = this.#built.get(step);
    const kind = recorded?.kind ?? this.#kindBuilding(step.kind);
    const entry = kind === undefined ? undefined : this.#kinds.get(kind);
    if (kind === undefined || entry === undefined) {
      return { unsaveable: `its kind \`${step.kind}\` is not a registered step kind` };
    }
    const recordedParams = recorded ? withoutStepOptions(recorded.params) : undefined;
    const params = entry.paramsOf ? entry.paramsOf(step, ctx, recordedParams) : recordedParams;
    if (params === undefined) {
      return { unsaveable: `it is a \`${step.kind}\` built with your own code, which a definition cannot hold` };
    }
    const saved = entry.builds ?? kind;
    return {
      [saved]: {
        ...(step.named ? { name: step.name } : {}),
        ...params,
        ...(step.onError ? { onError: step.onError } : {}),
        ...(step.keep ? { keep: true } : {}),
        ...(step.quiet ? { quiet: true } : {}),
      },
    };
  }

  /** The registered kind that builds steps of `kind`: itself first, else one whose `builds` says so. */
  #kindBuilding(kind: string): string | undefined {
    if (this.#kinds.has(kind) && (this.#kinds.get(kind)!.builds ?? kind) === kind) return kind;
    for (const [name, entry] of this.#kinds) if ((entry.builds ?? name) === kind) return name;
    return undefined;
  }
}

function withoutStepOptions(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { name: _name, onError: _onError, ...rest } = params;
  return rest;
}

/** The registry with the built-in step kinds. `register` on it adds kinds for every load. */
export const stepRegistry = new StepRegistry();
for (const [kind, entry] of Object.entries(builtinKinds)) stepRegistry.register(kind, entry);
