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
export async function readLinePage(path: string, offset: number, limit: number, keepBlank = false): Promise<LinePage> {
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
        if (keepBlank || text.trim() !== '') lines.push({ offset: pendingStart + start, text });
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

/** Lines between two marks: a line's byte offset is found by reading at most this many lines. */
const MARK_EVERY = 1024;

/**
 * Counts the complete lines of a file as it grows, reading only what was added since the last
 * call, and keeps the byte offset of every 1,024th line: a line's number from its offset, or its
 * offset from its number, then costs one short read.
 */
export class LineCounter {
  readonly #path: string;
  #bytes = 0;
  #lines = 0;
  /** `#marks[j]`: the byte offset where line `j × 1024` starts. */
  #marks: number[] = [0];
  /** The count in progress: the next one waits for it. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  /**
   * The complete lines now. A file cut shorter (a resume repairing it) is counted again from the
   * start. Calls at once (a page load and an event stream) take turns: each new byte is read once.
   */
  count(): Promise<number> {
    const turn = this.#turn.then(() => this.#count());
    this.#turn = turn.catch(() => 0);
    return turn;
  }

  async #count(): Promise<number> {
    let size: number;
    try {
      size = (await stat(this.#path)).size;
    } catch {
      return 0;
    }
    if (size < this.#bytes) {
      this.#bytes = 0;
      this.#lines = 0;
      this.#marks = [0];
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
            if (this.#lines % MARK_EVERY === 0) this.#marks.push(counted);
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

  /** The number (from 0) of the line that starts at byte `offset`, or undefined when none does. */
  async lineAt(offset: number): Promise<number | undefined> {
    await this.count();
    if (offset >= this.#bytes) return undefined;
    let j = this.#marks.length - 1;
    while (j > 0 && this.#marks[j]! > offset) j--;
    let line = j * MARK_EVERY;
    const page = await readLinePage(this.#path, this.#marks[j]!, MARK_EVERY + 1, true);
    for (const entry of page.lines) {
      if (entry.offset === offset) return line;
      if (entry.offset > offset) return undefined;
      line++;
    }
    return undefined;
  }

  /** Up to `count` lines from line `line` (from 0), in one read. */
  async linesFrom(line: number, count: number): Promise<string[]> {
    await this.count();
    if (line >= this.#lines) return [];
    const j = Math.floor(line / MARK_EVERY);
    const skip = line - j * MARK_EVERY;
    const page = await readLinePage(this.#path, this.#marks[j]!, skip + count, true);
    return page.lines.slice(skip).map((entry) => entry.text);
  }

  /** The text of line `line` (from 0), or undefined past the end. */
  async lineText(line: number): Promise<string | undefined> {
    await this.count();
    if (line >= this.#lines) return undefined;
    const j = Math.floor(line / MARK_EVERY);
    const page = await readLinePage(this.#path, this.#marks[j]!, line - j * MARK_EVERY + 1, true);
    return page.lines[line - j * MARK_EVERY]?.text;
  }
}
