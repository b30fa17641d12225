#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * Entry point of the `sluice` binary. The V8 flag in the line above caps the young generation at
 * 4 MiB per semi-space: Node's default lets it grow to 32 MiB or more under a streaming load, which
 * tripled the peak memory of a long run without making it faster (README, design notes).
 *
 * It checks the Node version before loading anything else: on an older Node the dependencies fail
 * with errors that say nothing of the cause (undici's `reading 'bind'`, `ERR_UNKNOWN_FILE_EXTENSION`
 * for a `.ts` pipeline). So this file imports nothing statically.
 * @module
 */
const NEEDED = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < NEEDED) {
  process.stderr.write(
    `sluice: needs Node ${NEEDED} or later; this is Node ${process.versions.node}. ` +
      `In your project: npm i -D node@${NEEDED}, then run it with npx sluice (npm puts that Node first); or install Node ${NEEDED} (for example: nvm install ${NEEDED}).\n`,
  );
  process.exit(2);
}
await import('./cli.ts');
