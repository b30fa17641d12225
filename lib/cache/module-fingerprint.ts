/**
 * A SHA-256 over a pipeline module and every module it imports from the project (relative
 * specifiers, followed recursively; packages are left out: their versions are in the lockfile).
 * Resume refuses to continue a run whose code changed: its done rows came from the old code.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';

// `import … from './x'`, `export … from '../y'`, `import('./z')`, `require('./w')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs', '.json', '/index.ts', '/index.js'];

export async function moduleFingerprint(entry: string): Promise<string> {
  const root = dirname(resolve(entry));
  const seen = new Set<string>();
  const hash = createHash('sha256');
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    hash.update(relative(root, file)).update('\0').update(text).update('\0');
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      const base = resolve(dirname(file), specifier!);
      const candidates = EXTENSIONS.map((ext) => base + ext);
      if (base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`);
      const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
      if (found) await visit(found);
    }
  };
  await visit(resolve(entry));
  return hash.digest('hex');
}
