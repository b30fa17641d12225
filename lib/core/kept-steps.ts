/**
 * Where a run directory keeps a step's output rows (`--keep`, `keep(step)`): `steps/<name>.jsonl`,
 * a step in a branch (`a/b`) as `a__b`, so that every kept step is one file in one folder. The
 * writer, `sluice inspect --step`, `keptRows` and the viewer all find them here.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceConfigError } from './errors.ts';

export const keptSteps = {
  /** The folder of a run directory that holds the kept steps. */
  folder: (runDir: string): string => join(runDir, 'steps'),

  /** The file a step's kept rows are in. */
  path: (runDir: string, step: string): string => join(runDir, 'steps', `${step.replaceAll('/', '__')}.jsonl`),

  /** The steps a run kept, by name. */
  names(runDir: string): string[] {
    const folder = join(runDir, 'steps');
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((file) => file.endsWith('.jsonl'))
      .map((file) => file.slice(0, -'.jsonl'.length).replaceAll('__', '/'))
      .sort();
  },

  /** The error for a step the run kept no rows of, naming the ones it did keep. */
  missing(runDir: string, step: string): SluiceConfigError {
    const kept = keptSteps.names(runDir);
    return new SluiceConfigError(
      `The run in \`${runDir}\` kept no rows of step \`${step}\`. ${kept.length > 0 ? `It kept: ${kept.map((name) => `\`${name}\``).join(', ')}.` : 'It kept none.'} ` +
        "Mark the step with `keep(step)` (`keep: true` in a definition) or run with --keep <step>, with --run-dir, to keep a step's rows.",
      { option: 'step', expected: 'a kept step', received: step },
    );
  },
};
