/**
 * @internal Builds steps from definitions through a `StepRegistry`: checks each step's shape,
 * finds its kind (suggesting close names), validates its params, resolves LLM references and
 * imports, and gives every error a line and column. Used by `parseDefinition`, `withParams`
 * and `StepRegistry.build`.
 * @module
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { SluiceConfigError } from '../core/errors.ts';
import type { AnyStep } from '../core/step.ts';
import type { Llm } from '../llm/client.ts';
import { DefinitionError, type DefinitionErrorCode } from './definition-error.ts';
import { didYouMean, quoteList } from './names.ts';
import { atPosition, type DefinitionPath, type SourcePositions } from './source-positions.ts';
import type { BuildContext, KindCatalogue } from './step-kind.ts';
import { show, validateValue } from './validate-value.ts';

export interface BuildOptions {
  /** The kinds to build from. */
  registry: KindCatalogue;
  /** LLMs that steps may name, by name. */
  llms?: Readonly<Record<string, Llm>>;
  /** Positions in the definition's text, for messages. */
  positions?: SourcePositions | undefined;
  /** The definition file, for errors. */
  file?: string | undefined;
  /** Folder that `import:` paths are relative to. Default: the current directory. */
  baseDir?: string | undefined;
  /** `true` (default): relative imports inside `baseDir`; `'any'`: any module; `false`: none. */
  allowImport?: boolean | 'any' | undefined;
  /** Ends messages that have no position (`(from --set …)`). */
  hint?: string | undefined;
  /** Loads a definition file a `pipeline:` step names (`.yaml`, `.yml`, `.json`), with this definition's options. */
  loadDefinition?: ((file: string) => Promise<unknown>) | undefined;
}

/** Files read as definitions rather than imported as modules. */
const DEFINITION_FILE = /\.(ya?ml|json)$/i;

interface Loaded {
  readonly exports: Record<string, unknown>;
  readonly file: string;
}

/** A built step, to tell apart from a definition when branches are rebuilt. */
export function isStep(value: unknown): value is AnyStep {
  return value !== null && typeof value === 'object' && typeof (value as AnyStep).operator === 'function' && typeof (value as AnyStep).kind === 'string';
}

const isPlainMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Modules any builder in this process has imported, by file: Node caches modules anyway, and a
 * step rebuilt later (`--set`, `withParams`) finds its module here without a second, async load.
 */
const imported = new Map<string, Loaded>();

/** The path with every symlink resolved, or the path itself when it does not exist (yet). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export class StepBuilder {
  readonly #options: BuildOptions;
  readonly #modules = new Map<string, Loaded>();
  readonly #pending = new Map<string, { specifier: string; path: DefinitionPath; label: string }>();

  constructor(options: BuildOptions) {
    this.#options = options;
  }

  /** Imports that the last build asked for and that are not loaded yet. */
  pendingImports(): number {
    return this.#pending.size;
  }

  /** Loads the modules the last build asked for; build again afterwards. */
  async loadImports(): Promise<void> {
    for (const [file, { specifier, path, label }] of this.#pending) {
      let exports: Record<string, unknown>;
      const load = this.#options.loadDefinition;
      if (load && DEFINITION_FILE.test(file)) {
        // A definition is parsed for this build only: its LLMs and steps are new objects each time.
        this.#modules.set(file, { exports: { default: await load(file) }, file });
        continue;
      }
      try {
        exports = (await import(file.startsWith('file:') || !isAbsolute(file) ? file : pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (error) {
        throw this.#error('SLUICE_DEFINITION_IMPORT', `Could not import \`${specifier}\`{where} (${label}): ${(error as Error).message}`, path, {
          cause: error,
        });
      }
      this.#modules.set(file, { exports, file });
      imported.set(file, { exports, file });
    }
    this.#pending.clear();
  }

  /**
   * An export of a module a definition names outside its steps (`input: { import: ./reader.ts }`):
   * its value and file, or undefined while the module is not loaded (load, then ask again).
   */
  importExport(specifier: string, exportName: string, path: DefinitionPath, label: string): { value: unknown; file: string } | undefined {
    const loaded = this.#import(specifier, path, label);
    if (!loaded) return undefined;
    if (!Object.hasOwn(loaded.exports, exportName)) {
      const names = Object.keys(loaded.exports);
      throw this.#error(
        'SLUICE_DEFINITION_IMPORT',
        `Module \`${specifier}\`{where} (${label}) has no export \`${exportName}\`; it exports ${names.length ? quoteList(names, 'and') : 'nothing'}`,
        path,
      );
    }
    return { value: loaded.exports[exportName], file: loaded.file };
  }

  /** Builds a list of step definitions found at `path` (built steps pass through unchanged). */
  steps(items: readonly unknown[], path: DefinitionPath): AnyStep[] {
    if (!Array.isArray(items)) {
      throw this.#error('SLUICE_DEFINITION_INVALID', `Expected a list of steps, got \`${show(items)}\`{where}`, path);
    }
    return items.map((item, i) => this.step(item, [...path, i]));
  }

  /** Builds one step definition, `{ kind: params }`, found at `path`. */
  step(item: unknown, path: DefinitionPath): AnyStep {
    if (isStep(item)) return item;
    const registry = this.#options.registry;
    const keys = isPlainMap(item) ? Object.keys(item) : [];
    if (!isPlainMap(item) || keys.length !== 1) {
      const got = isPlainMap(item) && keys.length > 1 ? `the keys ${quoteList(keys, 'and')}` : `\`${show(item)}\``;
      const advice = isPlainMap(item) && keys.length > 1 ? ' Indent the params under the kind: `- generate: { name: …, prompt: … }`.' : '';
      throw this.#error(
        'SLUICE_DEFINITION_INVALID',
        `Expected a step, a map with one key (its kind) such as \`- generate: { … }\`, got ${got}{where}.${advice}`,
        path,
      );
    }
    const kind = keys[0]!;
    const entry = registry.get(kind);
    if (!entry) {
      const suggestion = didYouMean(kind, registry.kinds(), (all) => `Known steps: ${quoteList(all, 'and')}.`);
      throw this.#error('SLUICE_DEFINITION_UNKNOWN_STEP', `Unknown step \`${kind}\`{where}.${suggestion}`, [...path, kind], { key: true });
    }
    const given = item[kind] ?? {};
    const label = `step \`${isPlainMap(given) && typeof given.name === 'string' ? given.name : kind}\``;
    const base = [...path, kind];
    const { raw, flags } = this.#runFlags(given, kind, base);
    const params = validateValue(entry.schema, raw, {
      base,
      label,
      positions: this.#options.positions,
      file: this.#options.file,
      hint: this.#options.hint,
    }) as Record<string, unknown>;
    let step: AnyStep;
    try {
      step = entry.build(params, this.#context(base, label));
    } catch (error) {
      if (error instanceof DefinitionError) throw error;
      const message = (error as Error)?.message ?? String(error);
      const code = error instanceof SluiceConfigError ? 'SLUICE_DEFINITION_INVALID' : 'SLUICE_DEFINITION_IMPORT';
      throw this.#error(code, `${message.replace(/\.$/, '')},{where} (${label})`, base, { cause: error });
    }
    if (flags.keep || flags.quiet) step = { ...step, ...flags };
    registry.recordBuilt(step, kind, params);
    return step;
  }

  /**
   * `keep: true` and `quiet: true`, which every kind takes: how the run treats the step, not what
   * it makes, so they are taken off before the kind checks its params (under `map`, a list in
   * `keep` is the columns to keep, and stays).
   */
  #runFlags(raw: unknown, kind: string, base: DefinitionPath): { raw: unknown; flags: { keep?: true; quiet?: true } } {
    if (!isPlainMap(raw)) return { raw, flags: {} };
    const rest: Record<string, unknown> = { ...raw };
    const flags: { keep?: true; quiet?: true } = {};
    for (const flag of ['keep', 'quiet'] as const) {
      if (!Object.hasOwn(rest, flag)) continue;
      const value = rest[flag];
      if (flag === 'keep' && kind === 'map' && Array.isArray(value)) continue;
      if (typeof value !== 'boolean') {
        throw this.#error(
          'SLUICE_DEFINITION_INVALID',
          flag === 'keep'
            ? `Expected \`keep\` to be true or false (keep the step's output rows in the run directory){where}, got \`${show(value)}\`.`
            : `Expected \`quiet\` to be true or false (send the step's console output to the run directory){where}, got \`${show(value)}\`.`,
          [...base, flag],
        );
      }
      delete rest[flag];
      if (value) flags[flag] = true;
    }
    return { raw: rest, flags };
  }

  #context(base: DefinitionPath, label: string): BuildContext {
    const llms = this.#options.llms ?? {};
    return {
      path: base,
      llm: (name, at = ['llm']) => {
        const llm = Object.hasOwn(llms, name) ? llms[name] : undefined;
        if (llm) return llm;
        const declared = Object.keys(llms);
        const advice =
          declared.length === 0
            ? ` Declare it under \`llms:\`, such as \`llms: { ${name}: { model: gpt-4o-mini } }\`.`
            : didYouMean(name, declared, (all) => `Declared LLMs: ${quoteList(all, 'and')}.`);
        throw this.#error('SLUICE_DEFINITION_UNKNOWN_LLM', `Unknown LLM \`${name}\`{where} (${label}).${advice}`, [...base, ...at]);
      },
      steps: (items, at) => this.steps(items, [...base, ...at]),
      importModule: (specifier, at) => this.#import(specifier, [...base, ...at], label),
    };
  }

  #import(specifier: string, path: DefinitionPath, label: string): Loaded | undefined {
    const { allowImport = true, baseDir = process.cwd() } = this.#options;
    if (allowImport === false) {
      throw this.#error(
        'SLUICE_DEFINITION_IMPORT',
        `\`import:\` of \`${specifier}\`{where} (${label}) is turned off for this load (\`allowImport: false\`). Load with \`allowImport: true\` if you trust this definition.`,
        path,
      );
    }
    const relativePath = specifier.startsWith('./') || specifier.startsWith('../');
    let file: string;
    if (relativePath) {
      file = resolve(baseDir, specifier);
      // Real paths: a symlink inside the folder that points outside it leaves the folder too.
      const inside = relative(realPath(resolve(baseDir)), realPath(file));
      if (allowImport !== 'any' && (inside.startsWith('..') || isAbsolute(inside))) {
        throw this.#error(
          'SLUICE_DEFINITION_IMPORT',
          `\`import:\` of \`${specifier}\`{where} (${label}) leaves the definition's folder. Move the module next to the definition, or load with \`allowImport: 'any'\`.`,
          path,
        );
      }
    } else if (allowImport !== 'any') {
      throw this.#error(
        'SLUICE_DEFINITION_IMPORT',
        `\`import:\` of \`${specifier}\`{where} (${label}) is not a relative path. A definition may import only modules inside its folder, such as \`./steps.ts\`; load with \`allowImport: 'any'\` to allow absolute paths and packages.`,
        path,
      );
    } else if (isAbsolute(specifier)) {
      file = specifier;
    } else {
      try {
        file = createRequire(resolve(baseDir, 'definition.js')).resolve(specifier);
      } catch {
        file = specifier; // Left to `import()`, which resolves packages its own way.
      }
    }
    if (isAbsolute(file) && !existsSync(file)) {
      throw this.#error('SLUICE_DEFINITION_IMPORT', `Cannot find \`${specifier}\`{where} (${label}): there is no ${file}.`, path);
    }
    const loaded = this.#modules.get(file) ?? imported.get(file);
    if (loaded) return loaded;
    this.#pending.set(file, { specifier, path, label });
    return undefined;
  }

  #error(code: DefinitionErrorCode, message: string, path: DefinitionPath, { key = false, cause }: { key?: boolean; cause?: unknown } = {}): DefinitionError {
    const position = this.#options.positions?.of(path, { key });
    const where = atPosition(position);
    let text = message.replace(/,?\{where\}/, (mark) => (where === '' ? '' : `${mark.startsWith(',') ? ',' : ''} ${where}`));
    if (!text.endsWith('.') && !text.endsWith('?')) text += '.';
    if (!position && this.#options.hint) text += ` ${this.#options.hint}`;
    return new DefinitionError(code, text, { file: this.#options.file, line: position?.line, column: position?.column, path, cause });
  }
}
