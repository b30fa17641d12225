/**
 * The services a pipeline's run plugs into the engine: the request cache (LMDB, loaded on first
 * use) and the run directory (resume, lineage, the record of the run).
 * @module
 */
import { fileFingerprint } from '../cache/file-fingerprint.ts';
import { RequestCache } from '../cache/request-cache.ts';
import { RunDirectory } from '../cache/run-directory.ts';
import type { RunServices } from '../core/run-services.ts';

/** The cache folder for a run's `cache` option: `SLUICE_CACHE_DIR`, else `.sluice/cache`; `SLUICE_NO_CACHE=1` turns it off. */
function cacheFolder(option: false | string | undefined): false | string {
  if (option !== undefined) return option;
  if (process.env.SLUICE_NO_CACHE === '1') return false;
  return process.env.SLUICE_CACHE_DIR ?? '.sluice/cache';
}

export const standardRunServices: RunServices = {
  openCache(option) {
    const folder = cacheFolder(option);
    return folder === false ? undefined : new RequestCache(folder);
  },
  async openLedger(request) {
    const other = request.inputPath === undefined ? await request.inputFingerprint?.() : undefined;
    const input =
      request.inputPath !== undefined
        ? await fileFingerprint(request.inputPath)
        : other && { path: other.location, size: other.size, mtimeMs: 0, sha256: other.sha256 };
    return RunDirectory.open(
      request.dir,
      {
        pipeline: request.pipeline,
        definition: request.definition,
        ...(request.command ? { command: request.command } : {}),
        outputs: request.outputs,
        ...(request.failedPath ? { failedPath: request.failedPath } : {}),
        fingerprint: { ...(input ? { inputs: [input] } : {}), ...(request.codeFingerprint ? { code: request.codeFingerprint } : {}) },
        ...(request.record?.fields ? { extra: request.record.fields } : {}),
        ...(request.record?.definitionYaml !== undefined ? { definitionYaml: request.record.definitionYaml } : {}),
      },
      { ...(request.restart ? { restart: true } : {}), ...(request.acceptChanges ? { acceptChanges: true } : {}) },
    );
  },
};
