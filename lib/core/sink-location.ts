/**
 * Where a sink writes, as a run records it and a saved definition names it: its file, or its
 * folder with a trailing slash (`out/`); `undefined` for a sink that names no file (stdout, memory,
 * a queue). Asked before the sink opens, when a file sink names its own path (with a run directory
 * it later names the line copy its rows are counted in).
 * @module
 */
import type { Sink } from './sink.ts';

export function sinkLocation(sink: Sink): string | undefined {
  const folder = `${sink.name.replace(/\/+$/, '')}/`;
  if (sink.folder) return folder;
  const file = sink.pathFor?.('default');
  if (file === undefined) return undefined;
  return file === sink.name ? file : folder;
}
