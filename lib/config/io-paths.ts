/**
 * A definition's `input` and `output`: the source and sink a path (or a path with format options)
 * stands for, and the way back from them to what the definition said, for saving. Paths are
 * relative to the current directory, as `-i`/`-o` are.
 * @module
 */
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { type SinkForOptions, sinkFor } from '../formats/sink-for.ts';
import { type SourceForOptions, sourceFor } from '../formats/source-for.ts';

/** `input:` as a definition writes it: a path, or a path with its format's options. */
export type InputSpec = string | ({ path: string } & Omit<SourceForOptions, 'maxLineBytes'>);
/** `output:` as a definition writes it: a path, or a path with its format's options. */
export type OutputSpec = string | ({ path: string } & Omit<SinkForOptions, 'folder' | 'reserved'>);

const specs = new WeakMap<object, InputSpec | OutputSpec>();

const pathOf = (spec: InputSpec | OutputSpec) => (typeof spec === 'string' ? spec : spec.path);

/** `-` is stdin; a file or URL is read in the format its extension (or `format`) names (see `sourceFor`). `maxLineBytes` bounds NDJSON lines. */
export function inputSource(spec: InputSpec, { maxLineBytes }: { maxLineBytes?: number } = {}): Source {
  const { path, ...options } = typeof spec === 'string' ? { path: spec } : spec;
  const source = sourceFor(path, { ...options, ...(maxLineBytes === undefined ? {} : { maxLineBytes }) });
  specs.set(source, spec);
  return source;
}

/** `-` is stdout, a path ending in `/` a folder with one file per leaf, anything else one file in the format its extension (or `format`) names. */
export function outputSink(spec: OutputSpec): Sink {
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
