import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/run-cli.ts';

const lib = join(repoRoot, 'lib');

/** Every `.ts` file under `lib/`, relative to it (`core/run.ts`). */
function libFiles(dir = lib): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return libFiles(path);
    return entry.name.endsWith('.ts') ? [relative(lib, path)] : [];
  });
}

/**
 * The files a module imports, type-only included. `lazy` ones are `await import(…)`: they load
 * on first use, after every module has loaded, so they cannot cause the load-order bugs that
 * cycles cause; they count for the layering rules of core and operators, not for cycles.
 */
function importsOf(file: string, kind: 'static' | 'lazy'): string[] {
  const text = readFileSync(join(lib, file), 'utf8');
  const pattern = kind === 'static' ? /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g : /import\(\s*'(\.[^']+)'\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => relative(lib, resolve(dirname(join(lib, file)), m[1]!)));
}

const files = libFiles();
const graph = new Map(files.map((file) => [file, importsOf(file, 'static')]));
const withLazy = new Map(files.map((file) => [file, [...importsOf(file, 'static'), ...importsOf(file, 'lazy')]]));
const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Each edge that breaks `allowed`, as `from -> to`. */
function offending(from: string, allowed: (to: string) => boolean): string[] {
  return [...withLazy]
    .filter(([file]) => folderOf(file) === from)
    .flatMap(([file, targets]) => targets.filter((to) => !allowed(to)).map((to) => `${file} -> ${to}`));
}

describe('imports follow the dataflow', () => {
  it('finds the modules it checks', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files found under lib/`);
    assert.ok(graph.get('core/run.ts')?.includes('core/errors.ts'));
  });

  it('core imports nothing from cache, llm, config, cli, serve, sources or sinks (the source and sink contracts are in core)', () => {
    assert.deepEqual(
      offending('core', (to) => folderOf(to) === 'core'),
      [],
    );
  });

  it('operators import only core', () => {
    assert.deepEqual(
      offending('operators', (to) => ['core', 'operators'].includes(folderOf(to))),
      [],
    );
  });

  it('the LMDB request cache is not imported by the core, even lazily', () => {
    assert.ok(withLazy.get('pipeline/standard-run-services.ts')?.includes('cache/request-cache.ts'));
    assert.deepEqual(
      offending('core', (to) => folderOf(to) !== 'cache'),
      [],
    );
  });

  it('sources and sinks import only core and their own kind', () => {
    assert.deepEqual(
      offending('sources', (to) => ['core', 'sources'].includes(folderOf(to))),
      [],
    );
    assert.deepEqual(
      offending('sinks', (to) => ['core', 'sinks'].includes(folderOf(to))),
      [],
    );
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const to of graph.get(file) ?? []) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('has no cycle between folders: each concern sits on the ones below it', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      for (const to of targets) {
        if (folderOf(file) === folderOf(to)) continue;
        if (!folders.has(folderOf(file))) folders.set(folderOf(file), new Set());
        folders.get(folderOf(file))!.add(folderOf(to));
      }
    }
    const mutual = [...folders].flatMap(([from, tos]) => [...tos].filter((to) => from < to && folders.get(to)?.has(from)).map((to) => `${from} <-> ${to}`));
    assert.deepEqual(mutual, []);
  });
});
