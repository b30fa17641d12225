/**
 * Where a run directory keeps the staging copies of files written whole (Parquet, CSV, a JSON
 * array, a compressed file): `staging/<folder key>/<file name>.jsonl`, one line per row the file
 * took. These copies are line files, so the run directory repairs them after a `kill -9` as it
 * repairs NDJSON outputs, and a resumed run rebuilds each unfinished file from its copy. The
 * folder key is a hash of the output folder's absolute path, so that one run's outputs in
 * different folders never share a copy, and a sink can list the copies of its own folder.
 * @module
 */
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

export const stagingPaths = {
  /** The staging folder of a run directory. */
  root: (runDir: string): string => join(runDir, 'staging'),

  /** The folder that holds the copies of the files in output folder `folder`. */
  folder: (staging: string, folder: string): string => join(staging, createHash('sha256').update(resolve(folder)).digest('hex').slice(0, 16)),

  /** The staging copy of output file `file`. */
  file: (staging: string, file: string): string => join(stagingPaths.folder(staging, dirname(file)), `${basename(file)}.jsonl`),
};
