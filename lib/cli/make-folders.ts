/**
 * Creates the folders an output path needs, one level at a time.
 *
 * Node's `mkdirSync(dir, { recursive: true })` never returns for a path under procfs
 * (`/proc/x/y`): procfs answers ENOENT for a child that cannot exist, which the recursive walk
 * reads as "parent missing", forever (see Kewton/CommandMate#1774). The sinks create their folders
 * that way, so the CLI creates them first, without `recursive`: such a path then fails at once
 * with the OS error, and the sink finds its folder already there.
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and any missing parents. Throws the OS error (with `code` and `syscall`, so the
 * CLI exits 1 with its message), naming the flag it came from.
 * @example
 * makeFolders('out/qa', '-o out/qa/');
 */
export function makeFolders(dir: string, forWhat: string): void {
  const missing: string[] = [];
  let current = resolve(dir);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const cause = error as NodeJS.ErrnoException;
      if (cause.code === 'EEXIST') continue;
      throw Object.assign(new Error(`Cannot create the folder \`${folder}\` for \`${forWhat}\`: ${cause.message}`, { cause }), {
        code: cause.code,
        syscall: cause.syscall,
      });
    }
  }
}
