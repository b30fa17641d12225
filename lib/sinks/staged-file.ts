/**
 * A file written whole (Parquet, CSV, a JSON array, a compressed file). Such a file is not valid
 * until it is closed (a Parquet footer, a closing bracket, a compressed stream's end), so it is
 * written under a temporary name beside it (`.writing-<name>`) and renamed into place when it
 * closes: the output path holds a whole file or none, whatever stops the run.
 *
 * Nor can it be cut back to its finished rows and appended to after a `kill -9`, so when a run
 * directory records the run (`open({ staging })`):
 * - each row the format's sink takes is also appended to a line copy in the run directory's
 *   staging folder, and that copy is the file `pathFor` names: the run directory keeps its lineage
 *   and repairs it line by line, as it repairs NDJSON outputs;
 * - a resumed run (`open({ append, staging })`) writes the repaired copy's rows into a new file
 *   before its own, so the file ends with exactly the rows of finished records.
 * @module
 */
import { createReadStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SinkWriteError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Sink, SinkOpenOptions } from '../core/sink.ts';
import { stagingPaths } from '../core/staging-paths.ts';
import { failedPathBeside } from './failed-path-beside.ts';
import { NdjsonWriter } from './ndjson-writer.ts';
import { openOutputBytes } from './output-bytes.ts';

type Done = (error?: Error | null) => void;

/** The temporary name a file is written under until it closes: hidden, and keeping its extension (compression goes by it). */
const writingName = (path: string): string => join(dirname(path), `.writing-${basename(path)}`);

/** Rows handed to the format's sink before waiting for their dones, while rebuilding a file. */
const REPLAY_WINDOW = 512;

/**
 * @param make the format's sink for a path (`(path) => toParquetFile(path)`)
 */
export function stagedFile(path: string, make: (path: string) => Sink): Sink {
  const inner = make(writingName(path));
  let copy: NdjsonWriter | undefined;
  let copyPath: string | undefined;

  /** Writes the rows of a repaired copy into the new file, in order, waiting for a window of them at a time. */
  async function replay(from: string): Promise<void> {
    let pending = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const settled: Done = (error) => {
      pending--;
      if (error) failure ??= error;
      wake?.();
    };
    const drained = (limit: number) =>
      new Promise<void>((resolve) => {
        wake = () => {
          if (pending <= limit) resolve();
        };
        wake();
      });
    const lines = createInterface({ input: createReadStream(from), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line === '') continue;
      pending++;
      inner.write(JSON.parse(line) as Row, '', settled);
      if (pending >= REPLAY_WINDOW) await drained(REPLAY_WINDOW / 2);
      if (failure) break;
    }
    lines.close();
    await drained(0);
    if (failure) {
      throw new SinkWriteError(
        `Could not rebuild ${path} from the rows it held before the run stopped (${from}): ${failure.message}. ` +
          'Start over with --restart, or give the output a schema that every row fits.',
        { cause: failure },
      );
    }
  }

  return {
    name: path,
    failedPath: failedPathBeside(path),
    // Before the open, and without a run directory, the file itself (what a run records as its output, a definition saves).
    pathFor: () => copyPath ?? path,
    async open(options?: SinkOpenOptions) {
      await inner.open?.();
      if (options?.staging === undefined) return;
      copyPath = stagingPaths.file(options.staging, path);
      const resuming = options.append === true && existsSync(copyPath);
      if (resuming) await replay(copyPath);
      copy = new NdjsonWriter(() => openOutputBytes(copyPath!, { append: resuming }), { createEmpty: true });
      await copy.open();
    },
    write(row, leaf, done) {
      const line = copy;
      if (line === undefined) {
        inner.write(row, leaf, done);
        return;
      }
      // The copy gets the rows the file took, in the order it took them; the row counts once both have it.
      inner.write(row, leaf, (error) => (error ? done(error) : line.write(row, done)));
    },
    async close() {
      const writing = writingName(path);
      try {
        await inner.close();
      } catch (error) {
        // Half a file is no use; with a run directory, a resume writes it again from its copy.
        await rm(writing, { force: true });
        throw error;
      }
      await copy?.close();
      if (existsSync(writing)) await rename(writing, path);
      else await rm(path, { force: true });
    },
  };
}
