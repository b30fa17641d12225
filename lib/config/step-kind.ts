/**
 * What a step kind is: the schema of its params, its builder and the way back to its params; and
 * what builders and savers get. Apart from the registry, so that the kinds and the registry do not
 * import each other.
 * @module
 */
import type { z } from 'zod';
import type { AnyStep } from '../core/step.ts';
import type { Llm } from '../llm/client.ts';
import type { DefinitionPath } from './source-positions.ts';

/** What a builder gets besides its params. */
export interface BuildContext {
  /** Where the step's params sit in the definition (for errors). */
  readonly path: DefinitionPath;
  /** The LLM declared as `name` under `llms:`. An unknown name is an error at `at` (default: the step's `llm` key). */
  llm(name: string, at?: DefinitionPath): Llm;
  /** Builds a branch: a list of step definitions found at `at`, relative to the step's params. */
  steps(items: readonly unknown[], at: DefinitionPath): AnyStep[];
  /**
   * The module an `import:` step names, relative to the definition's folder, once loaded; `undefined`
   * on the first pass, when the loader only collects what to import. Checks `allowImport`.
   */
  importModule(specifier: string, at: DefinitionPath): { readonly exports: Record<string, unknown>; readonly file: string } | undefined;
}

/** What `paramsOf` gets, to turn a built step back into params. */
export interface SaveContext {
  /** Names `llm` in the definition's `llms:` section (recording its configuration). */
  llm(llm: Llm): string;
  /** The definitions of a branch's steps (`branch` names it in messages). */
  steps(steps: readonly AnyStep[], branch?: string): unknown[];
  /** Turns an imported module's file into the `module:` to write (relative to where the definition goes). */
  moduleSpecifier(file: string): string;
}

/** A step kind: the schema of its params, how to build it, and how to get its params back. */
export interface StepKind<P extends Record<string, unknown> = any> {
  /** One line for docs and `sluice` help. */
  readonly description: string;
  /** The params, `name` and `onError` included. Use `z.strictObject` so misspelt keys are caught. */
  readonly schema: z.ZodType<P>;
  /** Builds the step from checked params. Throw `SluiceConfigError` for what the schema cannot check. */
  build(params: P, ctx: BuildContext): AnyStep;
  /**
   * The params (without `name` and `onError`) that rebuild `step`, or `undefined` when it cannot be
   * written down (a step built with your own function). `recorded` holds the params the step was
   * built from, when the registry built it. Without `paramsOf`, only registry-built steps can be saved.
   */
  paramsOf?(step: AnyStep, ctx: SaveContext, recorded: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined;
  /** The `kind` of the steps it builds, when not its own name (`combine` builds `join` steps). */
  readonly builds?: string;
}

/** A step that cannot be written as a definition, with the reason. */
export interface Unsaveable {
  readonly unsaveable: string;
}

/** What the step builder needs of a registry: the kinds by name, and where to record what it built. */
export interface KindCatalogue {
  get(kind: string): StepKind | undefined;
  kinds(): string[];
  recordBuilt(step: AnyStep, kind: string, params: Readonly<Record<string, unknown>>): void;
}

/** A kind whose schema types everything else: `build` gets what the schema outputs, `paramsOf` must give what it accepts. */
export interface KindParts<S extends z.ZodType<Record<string, unknown>>> {
  readonly description: string;
  readonly schema: S;
  build(params: z.output<S>, ctx: BuildContext): AnyStep;
  paramsOf?(step: AnyStep, ctx: SaveContext, recorded: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined;
  readonly builds?: string;
}

/**
 * Defines a step kind from one zod schema: YAML is checked by it, `--set` values are typed by it,
 * and the builder's params are its output type, so `tsc` rejects a schema whose params the step's
 * TypeScript options do not take (an option missing on one side, or typed differently).
 * @example
 * export const shoutKind = defineKind({
 *   description: 'Upper-cases a column.',
 *   schema: z.strictObject({ ...stepOptions, column: field.nonEmpty('The column.') }),
 *   build: ({ name, column }) => map((row) => ({ ...row, [column]: String(row[column]).toUpperCase() }), { name }),
 * });
 */
export function defineKind<S extends z.ZodType<Record<string, unknown>>>(parts: KindParts<S>): StepKind<z.output<S>> {
  return parts as unknown as StepKind<z.output<S>>;
}
