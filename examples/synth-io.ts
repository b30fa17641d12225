/**
 * A reader and a writer of your own, used from synth-flow.yaml through `import:`.
 *
 * `paragraphs` reads a plain text file whose documents are separated by blank lines; `chatFile`
 * writes each row as a chat-format training record (`{"messages": [...]}`), one per line, on top
 * of Sluice's NDJSON file sink so that a run directory can resume it.
 */
import { readFile } from 'node:fs/promises';
import { toNdjsonFile, type Sink, type Source } from 'sluice';

/** The documents of a text file, one row `{ text }` each, in order. */
export function paragraphs({ path }: { path: string }): Source<{ text: string }> {
  return {
    name: path,
    positions: 'index',
    async *read(signal) {
      if (signal.aborted) return;
      const texts = (await readFile(path, 'utf8')).split(/\n\s*\n/).map((t) => t.trim());
      yield texts.filter((text) => text !== '').map((text, position) => ({ ok: true, row: { text }, position }));
    },
  };
}

/** Rows with `question` and `answer`, written as `{"messages": [user, assistant]}` lines. */
export function chatFile({ path }: { path: string }): Sink {
  const file = toNdjsonFile(path);
  return {
    ...file,
    write(row, leaf, done) {
      const messages = [
        { role: 'user', content: row.question },
        { role: 'assistant', content: row.answer },
      ];
      file.write({ messages }, leaf, done);
    },
  };
}
