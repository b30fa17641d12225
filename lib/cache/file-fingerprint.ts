/**
 * What resume checks of an input file: its size, modification time and a SHA-256 of its bytes.
 * The hash decides: a file touched but not changed still resumes.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface FileFingerprint {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** The fingerprint of the file at `path`, or undefined when it cannot be read (resume then has nothing to compare). */
export async function fileFingerprint(path: string): Promise<FileFingerprint | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return { path: resolve(path), size: info.size, mtimeMs: Math.round(info.mtimeMs), sha256: hash.digest('hex') };
  } catch {
    return undefined;
  }
}
