/**
 * Reads a file's complete lines, in order, without holding the file in memory. A last line with
 * no newline is a torn write (a crash mid-line) and is left out.
 * @module
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export async function* completeLines(path: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let tail = '';
  let stream: ReturnType<typeof createReadStream> | undefined;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
      const text = tail + decoder.write(chunk as Buffer);
      const lines = text.split('\n');
      tail = lines.pop()!;
      yield* lines;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}
