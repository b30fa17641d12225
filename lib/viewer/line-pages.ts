/**
 * Lines of a growing NDJSON file, read by byte offset: a page from any offset, and a running count
 * of complete lines that reads only the bytes added since the last count. The viewer never reads a
 * file whole, so it stays quick on a run of a million rows, and it works while another process
 * is still writing the file (a line without its newline is not shown yet).
 * @module
 */
import { open, stat } from 'node:fs/promises';

const CHUNK = 256 * 1024;

export interface LinePage {
  /** Each complete line from `offset` on, with its byte offset. */
  readonly lines: ReadonlyArray<{ readonly offset: number; readonly text: string }>;
  /** Where the next page starts; equal to `offset` when there was nothing more. */
  readonly next: number;
}

/** Up to `limit` complete lines from byte `offset` (a line start). A missing file is an empty page. */
export async function readLinePage(path: string, offset: number, limit: number): Promise<LinePage> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return { lines: [], next: offset };
  }
  try {
    const lines: Array<{ offset: number; text: string }> = [];
    let position = offset;
    let pending = Buffer.alloc(0);
    let pendingStart = offset;
    while (lines.length < limit) {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = Buffer.concat([pending, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let newline = data.indexOf(10); newline >= 0 && lines.length < limit; newline = data.indexOf(10, start)) {
        const text = data.toString('utf8', start, newline);
        if (text.trim() !== '') lines.push({ offset: pendingStart + start, text });
        start = newline + 1;
      }
      pendingStart += start;
      data = data.subarray(start);
      pending = data;
      if (lines.length >= limit) break;
    }
    return { lines, next: pendingStart };
  } finally {
    await handle.close();
  }
}

/** Counts the complete lines of a file as it grows, reading only what was added since the last call. */
export class LineCounter {
  readonly #path: string;
  #bytes = 0;
  #lines = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** The complete lines now. A file cut shorter (a resume repairing it) is counted again from the start. */
  async count(): Promise<number> {
    let size: number;
    try {
      size = (await stat(this.#path)).size;
    } catch {
      return 0;
    }
    if (size < this.#bytes) {
      this.#bytes = 0;
      this.#lines = 0;
    }
    if (size === this.#bytes) return this.#lines;
    const handle = await open(this.#path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      let position = this.#bytes;
      let counted = position;
      while (position < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - position), position);
        if (bytesRead === 0) break;
        for (let i = 0; i < bytesRead; i++) {
          if (buffer[i] === 10) {
            this.#lines++;
            counted = position + i + 1;
          }
        }
        position += bytesRead;
      }
      // Up to the last newline: a line still being written is counted when it is complete.
      this.#bytes = counted;
    } finally {
      await handle.close();
    }
    return this.#lines;
  }
}
