/**
 * `parseDefinition`: a pipeline from the text of a YAML or JSON definition. Parses (JSON is
 * YAML too), refuses tags, interpolates `${ENV}`, validates with zod, makes the LLMs, builds
 * the steps through the registry (loading `import:` modules, the only code a definition can
 * run), and sets the input and output. Every error has a line and a column.
 * @module
 */
import { dirname, extname, relative, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { pipeline, type Pipeline } from '../pipeline/pipeline.ts';
import { createLlm, type Llm } from '../llm/client.ts';
import { DefinitionError } from './definition-error.ts';
import { interpolate, isSecretVariable } from './interpolate.ts';
import { type ImportSpec, importedSink, importedSource, inputSource, isImportSpec, outputSink } from './io-paths.ts';
import { lazyLlm } from './lazy-llm.ts';
import { llmDeclarationSchema, rememberDeclaration } from './llm-declaration.ts';
import { pipelineDefinitionSchema } from './pipeline-definition.ts';
import { atPosition, SourcePositions } from './source-positions.ts';
import { StepBuilder } from './step-builder.ts';
import { type StepRegistry, stepRegistry } from './step-registry.ts';
import { validateValue } from './validate-value.ts';
import { OPENAI_API, sameEndpoint } from '../llm/same-endpoint.ts';

export interface ParseDefinitionOptions {
  /** The file the text came from: named in errors; `import:` paths are relative to its folder. */
  path?: string;
  /** Variables for `${…}`, and OPENAI_BASE_URL / OPENAI_API_KEY for the LLMs. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * `import:` steps: `true` (default) allows relative paths inside the definition's folder,
   * `'any'` also absolute paths and packages, `false` none. Nothing else in a definition runs code.
   */
  allowImport?: boolean | 'any';
  /**
   * `eager` (default) creates each LLM client now, so a missing endpoint fails the load.
   * `lazy` creates each on its first call: for validating or drawing a pipeline with no endpoint.
   */
  llms?: 'eager' | 'lazy';
  /** The step kinds to build from. Default `stepRegistry`. */
  registry?: StepRegistry;
  /** @internal The definition files that include this one (`pipeline:` steps), to refuse a cycle. */
  within?: readonly string[];
}

// Only the plain data types of the YAML core schema; `!!js/function`, `!!binary`, custom tags are refused.
const DATA_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** The start of the tag written before the value at `offset`: the source text is the only record of it. */
function tagStart(text: string, offset: number): number {
  let bang = text.lastIndexOf('!', offset);
  if (bang === -1) return offset;
  while (bang > 0 && !/\s/.test(text[bang - 1]!)) bang--;
  return bang;
}

/**
 * Builds the pipeline a definition describes.
 * @example
 * const p = await parseDefinition('name: clean\nsteps:\n  - filter: { column: text, nonEmpty: true }\n', { path: 'clean.yaml' });
 * await p.run({ source: ndjsonFile('rows.jsonl'), sink: toStdout() });
 */
export async function parseDefinition(text: string, options: ParseDefinitionOptions = {}): Promise<Pipeline<any>> {
  const { path: file, env = process.env, allowImport = true, llms: llmMode = 'eager', registry = stepRegistry } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, schema: 'core', version: '1.2' });
  const positions = new SourcePositions(doc, lineCounter);
  const fail = (code: 'SLUICE_DEFINITION_SYNTAX' | 'SLUICE_DEFINITION_SECRET', message: string, offset: number, path: (string | number)[] = []) => {
    const position = positions.offset(offset);
    return new DefinitionError(code, message.replace('{where}', atPosition(position)), { file, line: position.line, column: position.column, path });
  };

  const syntax = doc.errors[0];
  if (syntax) {
    const format = file !== undefined && extname(file) === '.json' ? 'JSON' : 'YAML';
    throw fail('SLUICE_DEFINITION_SYNTAX', `Invalid ${format} {where}: ${syntax.message.replace(/\.$/, '')}.`, syntax.pos[0]);
  }
  visit(doc, {
    Node(_key, node) {
      if (node.tag !== undefined && !DATA_TAGS.has(node.tag) && node.range) {
        const start = tagStart(text, node.range[0]);
        const written = text.slice(start, node.range[0]).trim().split(/\s/)[0] || node.tag;
        throw fail(
          'SLUICE_DEFINITION_SYNTAX',
          `Tag \`${written}\` {where} is not allowed: a definition holds data, never code. To run your own code, use an \`import:\` step.`,
          start,
        );
      }
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__' && pair.key.range) {
        throw fail('SLUICE_DEFINITION_SYNTAX', 'Key `__proto__` {where} is not allowed in a definition.', pair.key.range[0]);
      }
    },
  });
  // Variables that LLMs name as their keys are secrets too, whatever they are called.
  const keyVariables: string[] = [];
  const declaredLlms = doc.get('llms', true);
  if (isMap(declaredLlms)) {
    for (const item of declaredLlms.items) {
      const declared = item.value;
      const named = isMap(declared) ? declared.get('apiKeyEnv') : undefined;
      if (typeof named === 'string') keyVariables.push(named);
    }
  }
  interpolate(doc, { env, positions, text, file, isSecret: (name) => isSecretVariable(name, env, keyVariables) });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The YAML library stops an alias expansion that would grow without bound ("billion laughs").
    throw fail(
      'SLUICE_DEFINITION_SYNTAX',
      `The definition {where} uses YAML aliases (\`*name\`) so often that expanding them would take unbounded memory (${(error as Error).message}). Write the values out, or use fewer aliases.`,
      0,
    );
  }
  if (data === null || data === undefined) {
    throw fail(
      'SLUICE_DEFINITION_SYNTAX',
      'Expected the definition to be a map with `name` and `steps`, got an empty file. Start from `name: my-pipeline` and `steps: [ … ]`.',
      0,
    );
  }
  const definition = validateValue(pipelineDefinitionSchema, data, { base: [], rootKey: 'definition', positions, file });

  const llms: Record<string, Llm> = {};
  for (const [name, declared] of Object.entries(definition.llms ?? {})) {
    const base = ['llms', name];
    const node = doc.getIn(base, true);
    if (isMap(node)) {
      const secret = node.items.find((item) => isScalar(item.key) && /^api[-_]?key$/i.test(String(item.key.value)));
      if (secret && isScalar(secret.key) && secret.key.range) {
        throw fail(
          'SLUICE_DEFINITION_SECRET',
          `\`${String(secret.key.value)}\` {where} (LLM \`${name}\`) does not belong in a definition, which gets shared and committed. Set OPENAI_API_KEY in the environment, or name the variable that holds the key with \`apiKeyEnv\`.`,
          secret.key.range[0],
          [...base, String(secret.key.value)],
        );
      }
    }
    const declaration = validateValue(llmDeclarationSchema, declared, { base, label: `LLM \`${name}\``, positions, file });
    const { apiKeyEnv, ...settings } = declaration;
    const simulated = declaration.baseURL === undefined && env.SLUICE_LLM === 'simulated';
    const ownEndpoint = declaration.baseURL === undefined || sameEndpoint(declaration.baseURL, env.OPENAI_BASE_URL ?? OPENAI_API);
    if (apiKeyEnv !== undefined && env[apiKeyEnv] === undefined && !simulated) {
      throw new DefinitionError(
        'SLUICE_DEFINITION_ENV',
        `LLM \`${name}\` takes its key from \`${apiKeyEnv}\` (\`apiKeyEnv\`), which is not set. Set it in the environment.`,
        { file, path: [...base, 'apiKeyEnv'] },
      );
    }
    // The environment's key goes to the environment's endpoint only; another server names its variable.
    const apiKey = simulated ? undefined : apiKeyEnv !== undefined ? env[apiKeyEnv] : ownEndpoint ? env.OPENAI_API_KEY : undefined;
    const llmOptions = {
      ...settings,
      name,
      ...(simulated ? {} : { baseURL: declaration.baseURL ?? env.OPENAI_BASE_URL }),
      ...(apiKey === undefined ? {} : { apiKey }),
    };
    const llm = llmMode === 'lazy' ? lazyLlm(llmOptions) : createLlm(llmOptions);
    rememberDeclaration(llm, declaration);
    llms[name] = llm;
  }

  const builder = new StepBuilder({
    registry,
    llms,
    positions,
    file,
    baseDir: file === undefined ? process.cwd() : dirname(resolve(file)),
    allowImport,
    loadDefinition: async (sub: string) => {
      const chain = [...(options.within ?? []), ...(file === undefined ? [] : [resolve(file)])];
      if (chain.includes(resolve(sub))) {
        throw new DefinitionError(
          'SLUICE_DEFINITION_INVALID',
          `Definition \`${sub}\` includes itself through \`pipeline:\` steps (${[...chain, resolve(sub)].map((f) => relative(process.cwd(), f)).join(' → ')}). Break the cycle.`,
          { file },
        );
      }
      const { loadDefinition } = await import('./load-definition.ts');
      const { path: _path, ...rest } = options;
      return loadDefinition(sub, { ...rest, within: chain });
    },
  });
  // Your own source or sink (`input: { import: ./reader.ts }`): an export, found as steps' imports are.
  const ioExport = (key: 'input' | 'output') => {
    const spec = definition[key];
    return isImportSpec(spec) ? builder.importExport(spec.import, spec.export ?? 'default', [key, 'import'], `\`${key}\``) : undefined;
  };
  let steps = builder.steps(definition.steps, ['steps']);
  ioExport('input');
  ioExport('output');
  if (builder.pendingImports() > 0) {
    // Imports load asynchronously; the first pass only found them. Build again with them loaded.
    await builder.loadImports();
    steps = builder.steps(definition.steps, ['steps']);
  }
  const imported = <T>(key: 'input' | 'output', make: (spec: ImportSpec, value: unknown, file: string) => T): T => {
    const { value, file: module } = ioExport(key)!;
    try {
      return make(definition[key] as ImportSpec, value, module);
    } catch (error) {
      const position = positions.of([key, 'import']);
      throw new DefinitionError('SLUICE_DEFINITION_IMPORT', `${(error as Error).message.replace(/\.$/, '')} ${atPosition(position)}.`, {
        file,
        line: position?.line,
        column: position?.column,
        path: [key, 'import'],
        cause: error,
      });
    }
  };

  let built: Pipeline<any> = pipeline(definition.name, definition.run ?? {});
  const input = definition.input;
  if (input !== undefined) {
    built = built.from(
      isImportSpec(input)
        ? imported('input', importedSource)
        : inputSource(input, definition.maxLineBytes === undefined ? {} : { maxLineBytes: definition.maxLineBytes }),
    );
  }
  built = built.pipe(...steps);
  const output = definition.output;
  if (output !== undefined) built = built.to(isImportSpec(output) ? imported('output', importedSink) : outputSink(output));
  return built;
}
