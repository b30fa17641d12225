/**
 * A definition's `input` and `output`: the source and sink a path (or a path with format options)
 * stands for, and the way back from them to what the definition said, for saving. Paths are
 * relative to the current directory, as `-i`/`-o` are.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { type SinkForOptions, sinkFor } from '../formats/sink-for.ts';
import { type SourceForOptions, sourceFor } from '../formats/source-for.ts';
import { contentIds } from '../sources/content-ids.ts';

/** Your own source or sink: an export of a local module, a source (sink) or a function that makes one from `params`. */
export interface ImportSpec {
  import: string;
  export?: string;
  params?: Record<string, unknown>;
}
/** Your own source, and how its records are named: by `hash` of their content (`contentIds`) or by position. */
export interface InputImportSpec extends ImportSpec {
  id?: 'position' | 'hash';
}
/** `input:` as a definition writes it: a path, a path with its format's options, or an import. */
export type InputSpec = string | ({ path: string } & Omit<SourceForOptions, 'maxLineBytes'>) | InputImportSpec;
/** `output:` as a definition writes it: a path, a path with its format's options, or an import. */
export type OutputSpec = string | ({ path: string } & Omit<SinkForOptions, 'folder' | 'reserved'>) | ImportSpec;

const specs = new WeakMap<object, InputSpec | OutputSpec>();
/** The module file an imported source or sink came from, to write its `import:` relative to a saved definition. */
const importedFiles = new WeakMap<object, string>();

export const isImportSpec = (spec: InputSpec | OutputSpec | undefined): spec is ImportSpec => typeof spec === 'object' && 'import' in spec;

const pathOf = (spec: InputSpec | OutputSpec) => (typeof spec === 'string' ? spec : isImportSpec(spec) ? undefined : spec.path);

const isSource = (value: unknown): value is Source =>
  value !== null && typeof value === 'object' && typeof (value as Source).read === 'function' && typeof (value as Source).name === 'string';
const isSink = (value: unknown): value is Sink =>
  value !== null && typeof value === 'object' && typeof (value as Sink).write === 'function' && typeof (value as Sink).close === 'function';

/** The source or sink an imported export stands for: the export itself, or what it returns for `params`. */
function fromExport<T>(spec: ImportSpec, value: unknown, what: 'source' | 'sink', is: (v: unknown) => v is T, example: string): T {
  const name = `export \`${spec.export ?? 'default'}\` of \`${spec.import}\``;
  if (is(value)) {
    if (spec.params !== undefined)
      throw new SluiceConfigError(`The ${name} is a ${what}, not a function that makes one: remove \`params\`, or export a function`);
    return value;
  }
  if (typeof value !== 'function') {
    throw new SluiceConfigError(
      `Expected the ${name} to be a ${what} or a function that makes one (${example}), got ${value === null ? 'null' : typeof value}`,
    );
  }
  const made = (value as (params: Record<string, unknown>) => unknown)(spec.params ?? {});
  if (!is(made)) {
    const got = made instanceof Promise ? 'a promise (make it synchronously; read lazily in `read()`)' : made === null ? 'null' : typeof made;
    throw new SluiceConfigError(`Expected the ${name} to return a ${what} (${example}), got ${got}`);
  }
  return made;
}

/** A source from a module's export (`input: { import: ./reader.ts, export: rows, params: {…} }`). */
export function importedSource(spec: InputImportSpec, value: unknown, file: string): Source {
  const exported = fromExport(spec, value, 'source', isSource, 'an object with `name` and `read(signal)`, such as `csvFile(path)`');
  const source = spec.id === 'hash' ? contentIds(exported) : exported;
  specs.set(source, spec);
  importedFiles.set(source, file);
  return source;
}

/** A sink from a module's export (`output: { import: ./writer.ts, params: {…} }`). */
export function importedSink(spec: ImportSpec, value: unknown, file: string): Sink {
  const sink = fromExport(spec, value, 'sink', isSink, 'an object with `name`, `write(row, leaf, done)` and `close()`');
  specs.set(sink, spec);
  importedFiles.set(sink, file);
  return sink;
}

/** The module file of an imported source or sink. */
export function importedFileOf(value: object | undefined): string | undefined {
  return value === undefined ? undefined : importedFiles.get(value);
}

/** `-` is stdin; a file or URL is read in the format its extension (or `format`) names (see `sourceFor`). `maxLineBytes` bounds NDJSON lines. */
export function inputSource(spec: Exclude<InputSpec, ImportSpec>, { maxLineBytes }: { maxLineBytes?: number } = {}): Source {
  const { path, ...options } = typeof spec === 'string' ? { path: spec } : spec;
  const source = sourceFor(path, { ...options, ...(maxLineBytes === undefined ? {} : { maxLineBytes }) });
  specs.set(source, spec);
  return source;
}

/** `-` is stdout, a path ending in `/` a folder with one file per leaf, anything else one file in the format its extension (or `format`) names. */
export function outputSink(spec: Exclude<OutputSpec, ImportSpec>): Sink {
  const { path, ...options } = typeof spec === 'string' ? { path: spec } : spec;
  const sink = sinkFor(path, { ...options, folder: path.endsWith('/') });
  specs.set(sink, spec);
  return sink;
}

/** The path a definition's source or sink was made from, if it was. */
export function ioPathOf(value: object | undefined): string | undefined {
  const spec = value === undefined ? undefined : specs.get(value);
  return spec === undefined ? undefined : pathOf(spec);
}

/** What a definition said a source or sink was (`data.csv`, or `{ path: data.csv, delimiter: ';' }`), if it made it. */
export function ioSpecOf(value: object | undefined): InputSpec | OutputSpec | undefined {
  return value === undefined ? undefined : specs.get(value);
}
