/**
 * The bytes of an input location: a file or an `http(s)://` URL, decompressed by its extension
 * (`.gz`, `.zst`), as one Node stream read in 64 KiB chunks. Every format's source reads through it.
 * @module
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { InputNotFoundError, SluiceError } from '../core/errors.ts';

const CHUNK = 64 * 1024;

/** True for `http://` and `https://` locations. */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** The location without its compression extension, and that compression: `a.csv.gz` → [`a.csv`, `gzip`]. */
export function compressionOf(location: string): [plain: string, compression: 'gzip' | 'zstd' | undefined] {
  const path = isUrl(location) ? new URL(location).pathname : location;
  if (/\.gz$/i.test(path)) return [path.slice(0, -3), 'gzip'];
  if (/\.zst$/i.test(path)) return [path.slice(0, -4), 'zstd'];
  return [path, undefined];
}

/** An HTTP input that did not answer with its body. */
export class InputHttpError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.InputHttpError');
  override name = 'InputHttpError';
  override readonly code = 'SLUICE_INPUT_HTTP';
}

/**
 * Opens `location` for reading. A missing file fails the read with `SLUICE_INPUT_NOT_FOUND`; a URL
 * that answers other than 2xx with `SLUICE_INPUT_HTTP`. Aborting `signal` destroys the stream.
 */
export function openInputBytes(location: string, signal: AbortSignal): Readable {
  const raw = isUrl(location) ? fetchBody(location, signal) : fileBytes(location, signal);
  const [, compression] = compressionOf(location);
  if (compression === undefined) return raw;
  const inflate = compression === 'gzip' ? createGunzip({ chunkSize: CHUNK }) : createZstdDecompress({ chunkSize: CHUNK });
  // Errors of either end up on the returned stream; the pipeline destroys both on either's end.
  return pipeline(raw, inflate, () => {}) as unknown as Readable;
}

function fileBytes(path: string, signal: AbortSignal): Readable {
  const stream = createReadStream(path, { highWaterMark: CHUNK, signal });
  const out = new PassThrough({ highWaterMark: CHUNK });
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      out.destroy(
        new InputNotFoundError(
          `Input file \`${path}\` was not found (looked for ${resolve(path)}). Check the path, and that it is relative to the working directory ${process.cwd()}.`,
          { cause: error },
        ),
      );
    } else if (error.name === 'AbortError') out.end();
    else out.destroy(error);
  });
  stream.pipe(out);
  return out;
}

function fetchBody(url: string, signal: AbortSignal): Readable {
  const out = new PassThrough({ highWaterMark: CHUNK });
  (async () => {
    const response = await fetch(url, { signal, redirect: 'follow' });
    if (!response.ok || response.body === null) {
      throw new InputHttpError(
        `Input ${redactUrl(url)} answered HTTP ${response.status} ${response.statusText}. Check the URL, and that it is public or that its server lets this machine in.`,
      );
    }
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    }
    out.end();
  })().catch((error: unknown) => {
    if ((error as Error).name === 'AbortError') out.end();
    else
      out.destroy(
        error instanceof SluiceError ? error : new InputHttpError(`Could not read input ${redactUrl(url)}: ${(error as Error).message}`, { cause: error }),
      );
  });
  return out;
}

/** A URL as messages show it: no user, password or query (they can hold tokens). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}
