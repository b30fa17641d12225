/**
 * Counts the non-blank lines of an NDJSON file, for the progress display's done/total and ETA.
 * Reads 1 MiB chunks into one buffer and finds newlines with `indexOf`, so it runs at disk speed
 * and holds 1 MiB whatever the file size.
 * @module
 */
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Resolves with the number of lines that hold something (empty and `\r`-only lines are not
 * records). Stops early, resolving with what it counted so far, when `signal` aborts.
 * @example
 * const total = await countLines('rows.jsonl'); // 10000
 */
export async function countLines(path: string, signal?: AbortSignal): Promise<number> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let count = 0;
    // Bytes seen on the current line so far, ignoring a lone `\r` (CRLF endings).
    let lineBytes = 0;
    let lastWasCr = false;
    for (;;) {
      if (signal?.aborted) return count;
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      let start = 0;
      while (start < bytesRead) {
        const lf = buffer.indexOf(LF, start);
        const end = lf === -1 || lf >= bytesRead ? bytesRead : lf;
        if (end > start) {
          lineBytes += end - start;
          lastWasCr = buffer[end - 1] === CR;
        }
        if (end === bytesRead) break;
        if (lineBytes - (lastWasCr ? 1 : 0) > 0) count++;
        lineBytes = 0;
        lastWasCr = false;
        start = end + 1;
      }
    }
    if (lineBytes - (lastWasCr ? 1 : 0) > 0) count++;
    return count;
  } finally {
    await file.close();
  }
}
