/**
 * Saving: the definition of a pipeline built from built-in steps (`definitionOf`), and writing
 * it as YAML or JSON (`savePipeline`, `pipeline.save(path)`), so that `loadDefinition` builds
 * the same pipeline again. Steps that run your own code cannot be saved, except `import:` steps.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import type { RunnablePipeline } from '../core/run-options.ts';
import type { AnyStep } from '../core/step.ts';
import type { Llm } from '../llm/client.ts';
import type { Sink } from '../core/sink.ts';
import { sinkLocation } from '../core/sink-location.ts';
import { DefinitionError } from './definition-error.ts';
import { type ImportSpec, importedFileOf, type InputSpec, ioSpecOf, isImportSpec, type OutputSpec } from './io-paths.ts';
import type { Source } from '../core/source.ts';
import { declarationOf, type LlmDeclaration } from './llm-declaration.ts';
import type { SaveContext } from './step-kind.ts';
import { type StepRegistry, stepRegistry } from './step-registry.ts';

export interface DefinitionOfOptions {
  /** The step kinds to save with. Default `stepRegistry`. */
  registry?: StepRegistry;
  /** The folder the definition will live in: `import:` modules are written relative to it. Default: the current directory. */
  dir?: string;
}

/** A definition as data: what `savePipeline` writes. */
export interface DefinitionData {
  name: string;
  input?: InputSpec;
  output?: OutputSpec;
  run?: Record<string, unknown>;
  llms?: Record<string, LlmDeclaration>;
  steps: unknown[];
}

const RUN_KEYS = ['budget', 'onError', 'maxFailureRate', 'minRecords'] as const;

/**
 * The definition of `pipeline`: its name, input and output (when they came from a definition),
 * run defaults, the LLMs its steps use (by name, without keys), and its steps as
 * `{ kind: params }`, leaving out params equal to their defaults. Values are written as they
 * are, not as the `${…}` they may have come from.
 * Throws a `DefinitionError` (`SLUICE_DEFINITION_UNSAVEABLE`) naming the first step that runs
 * your own code (a `map` with a function) or two different LLMs with one name.
 * @example
 * definitionOf(pipeline('clean').pipe(filterColumn({ column: 'text', nonEmpty: true })))
 * // { name: 'clean', steps: [{ filter: { column: 'text', nonEmpty: true } }] }
 */
export function definitionOf(pipeline: RunnablePipeline, options: DefinitionOfOptions = {}): DefinitionData {
  const { registry = stepRegistry, dir = process.cwd() } = options;
  /** A module's file as an `import:` relative to where the definition goes. */
  const moduleSpecifier = (file: string) => {
    const rel = relative(dir, file).split(sep).join('/');
    return rel.startsWith('../') || rel.startsWith('/') ? rel : `./${rel}`;
  };
  const llms = new Map<string, { llm: Llm; declaration: LlmDeclaration }>();
  const stepsAt = (steps: readonly AnyStep[], prefix: string): unknown[] =>
    steps.map((step) => {
      const path = `${prefix}${step.name}`;
      const ctx: SaveContext = {
        llm(llm) {
          const declaration = declarationOf(llm);
          const known = llms.get(llm.name);
          if (known && known.llm !== llm && JSON.stringify(known.declaration) !== JSON.stringify(declaration)) {
            throw new DefinitionError(
              'SLUICE_DEFINITION_UNSAVEABLE',
              `Cannot save pipeline \`${pipeline.name}\`: two different LLMs are named \`${llm.name}\` (step \`${path}\` uses one). Give them distinct names with \`createLlm({ name })\`.`,
            );
          }
          if (!known) llms.set(llm.name, { llm, declaration });
          return llm.name;
        },
        steps: (branch, name) => stepsAt(branch, name === undefined ? `${path}/` : `${path}/${name}/`),
        moduleSpecifier,
      };
      const definition = registry.definitionOf(step, ctx);
      if ('unsaveable' in definition) {
        throw new DefinitionError(
          'SLUICE_DEFINITION_UNSAVEABLE',
          `Cannot save step \`${path}\`: ${definition.unsaveable}. Use a declarative step instead (\`mapColumns\`, \`filterColumn\`; in YAML \`map: { pick, rename, … }\`, \`filter: { column, … }\`), or put the code in a module next to the definition and name it with an \`import:\` step.`,
        );
      }
      return definition;
    });

  const steps = stepsAt(pipeline.steps, '');
  const run = Object.fromEntries(RUN_KEYS.flatMap((key) => (pipeline.defaults[key] === undefined ? [] : [[key, pipeline.defaults[key]]])));
  // An imported source or sink names its module relative to where the definition goes.
  const relocated = <S extends InputSpec | OutputSpec>(spec: S | undefined, of: object | undefined): S | undefined => {
    const file = importedFileOf(of);
    if (!isImportSpec(spec) || file === undefined) return spec;
    return { ...(spec as ImportSpec), import: moduleSpecifier(file) } as S;
  };
  const input = relocated(inputPathOf(pipeline.source), pipeline.source);
  const output =
    pipeline.sink && typeof (pipeline.sink as Sink).write === 'function' ? relocated(outputPathOf(pipeline.sink as Sink), pipeline.sink) : undefined;
  return {
    name: pipeline.name,
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(Object.keys(run).length > 0 ? { run } : {}),
    ...(llms.size > 0 ? { llms: Object.fromEntries([...llms].map(([name, { declaration }]) => [name, declaration])) } : {}),
    steps,
  };
}

/** Escapes `${` as `$${` in every string, so that loading does not read it as a variable. */
function escapeReferences(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', () => '$${');
  if (Array.isArray(value)) return value.map(escapeReferences);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, escapeReferences(inner)]));
  }
  return value;
}

/** The path of the first infinite number, which JSON cannot hold. */
function infinityIn(value: unknown, path: string): string | undefined {
  if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) return path;
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = infinityIn(inner, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Writes the definition of `pipeline` to `path`: JSON for `.json`, else YAML.
 * @example
 * await savePipeline(qa, 'qa.yaml');
 * const again = await loadDefinition('qa.yaml');
 */
export async function savePipeline(pipeline: RunnablePipeline, path: string, options: Omit<DefinitionOfOptions, 'dir'> = {}): Promise<void> {
  const definition = escapeReferences(definitionOf(pipeline, { ...options, dir: dirname(resolve(path)) }));
  let text: string;
  if (extname(path) === '.json') {
    const infinite = infinityIn(definition, '');
    if (infinite) {
      throw new DefinitionError(
        'SLUICE_DEFINITION_UNSAVEABLE',
        `Cannot save pipeline \`${pipeline.name}\` as JSON: \`${infinite}\` is infinite, which JSON cannot hold. Save it as YAML (\`.yaml\`), where it is \`.inf\`.`,
      );
    }
    text = `${JSON.stringify(definition, null, 2)}\n`;
  } else {
    text = yamlOf(definition);
  }
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, text);
}

/**
 * The definition of `pipeline` as YAML text, as `savePipeline` would write it into `dir`; what a
 * run directory keeps as `pipeline.yaml`.
 */
export function definitionYamlOf(pipeline: RunnablePipeline, options: DefinitionOfOptions = {}): string {
  return yamlOf(escapeReferences(definitionOf(pipeline, options)));
}

function yamlOf(definition: unknown): string {
  return stringify(definition, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** The path a source reads, as a definition's `input`: from a definition, a file source's path, or `-` for stdin. Others (iterables) have none. */
function inputPathOf(source: Source | undefined): InputSpec | undefined {
  if (source === undefined) return undefined;
  return (ioSpecOf(source) as InputSpec | undefined) ?? source.path ?? (source.name === 'stdin' ? '-' : undefined);
}

/** The path a sink writes, as a definition's `output`: a file, a folder (ending in `/`), or `-` for stdout. Others (memory) have none. */
function outputPathOf(sink: Sink): OutputSpec | undefined {
  const known = ioSpecOf(sink) as OutputSpec | undefined;
  if (known !== undefined) return known;
  if (sink.name === 'stdout' && sink.pathFor === undefined) return '-';
  return sinkLocation(sink);
}
