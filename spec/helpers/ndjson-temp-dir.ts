/**
 * A temp dir per spec file for the NDJSON source and sink specs: made before the tests, removed after.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/** Registers before/after hooks; call `path(name)` inside a test for a path in the dir. */
export function ndjsonTempDir(prefix: string): { path: (...parts: string[]) => string } {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `sluice-${prefix}-`));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return { path: (...parts) => join(dir, ...parts) };
}
