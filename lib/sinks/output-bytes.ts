/**
 * The byte stream an output file is written through: parent folders made, and compressed by the
 * file's extension (`.gz`, `.zst`).
 * @module
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as streams from 'node:stream';
import { createGzip, createZstdCompress } from 'node:zlib';
import type { WritableLike } from './ndjson-writer.ts';

// `stream.compose` (Node 19+) is missing from the type definitions this project uses.
const { compose } = streams as unknown as { compose: (...parts: NodeJS.ReadWriteStream[] | NodeJS.WritableStream[]) => WritableLike };

/** The compression an output path's extension asks for. */
export function outputCompression(path: string): 'gzip' | 'zstd' | undefined {
  if (/\.gz$/i.test(path)) return 'gzip';
  if (/\.zst$/i.test(path)) return 'zstd';
  return undefined;
}

/** Opens `path` for writing (appending with `append`), through a compressor when its extension names one. */
export function openOutputBytes(path: string, { append = false }: { append?: boolean } = {}): WritableLike {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: append ? 'a' : 'w' });
  const compression = outputCompression(path);
  if (compression === undefined) return file;
  // Ending the composed stream ends the compressor, then the file; errors of either surface on it.
  return compose(compression === 'gzip' ? createGzip() : createZstdCompress(), file);
}
