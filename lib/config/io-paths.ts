/**
 * A definition's `input` and `output`: the source and sink a path stands for, and the way back
 * from them to the path, for saving. Paths are relative to the current directory, as `-i`/`-o` are.
 * @module
 */
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { formatOf } from '../formats/format-of.ts';
import { sinkFor } from '../formats/sink-for.ts';
import { sourceFor } from '../formats/source-for.ts';

const paths = new WeakMap<object, string>();

/** `-` is stdin; a file or URL is read in the format its extension names (see `sourceFor`). `maxLineBytes` bounds NDJSON lines. */
export function inputSource(path: string, { maxLineBytes }: { maxLineBytes?: number } = {}): Source {
  const source = sourceFor(path, maxLineBytes === undefined ? {} : { maxLineBytes });
  paths.set(source, path);
  return source;
}

/** `-` is stdout, a path ending in `/` a folder with one NDJSON file per leaf, anything else one file in the format its extension names. */
export function outputSink(path: string): Sink {
  if (path !== '-' && !path.endsWith('/')) formatOf(path);
  const sink = sinkFor(path, { folder: path.endsWith('/') });
  paths.set(sink, path);
  return sink;
}

/** The path a definition's source or sink was made from, if it was. */
export function ioPathOf(value: object | undefined): string | undefined {
  return value === undefined ? undefined : paths.get(value);
}
