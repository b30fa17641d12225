import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { DefinitionError } from '../../lib/config/definition-error.ts';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const mapModule = pathToFileURL(join(import.meta.dirname, '../../lib/operators/map.ts')).href;

/** A module that leaves a marker file when it is imported, and exports a step factory and a step. */
const spyModule = (marker: string) => `
import { writeFileSync } from 'node:fs';
import { map } from ${JSON.stringify(mapModule)};
writeFileSync(${JSON.stringify(marker)}, 'imported');
export function tagger(params) {
  return map((row) => ({ ...row, tag: params.tag }), { name: 'tagger' });
}
export const shout = map((row) => ({ ...row, text: String(row.text).toUpperCase() }), { name: 'shout' });
export const notAStep = 42;
`;

describe('import: steps, the only way a definition runs code', () => {
  let dir: string;
  let marker: string;
  let outsideMarker: string;
  const write = (name: string, text: string) => writeFile(join(dir, name), text);
  const run = async (file: string, options: Parameters<typeof loadDefinition>[1] = {}) => {
    const p = await loadDefinition(join(dir, file), options);
    const out = toMemory();
    await p.run({ source: fromIterable([{ text: 'hi' }]), sink: out });
    return out.rows;
  };
  const refusal = async (file: string, options: Parameters<typeof loadDefinition>[1] = {}) => {
    const error = await loadDefinition(join(dir, file), options).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${String(error)}`);
    return `${error.code} ${error.line}:${error.column} ${error.message}`;
  };

  before(async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-import-'));
    dir = join(root, 'pipelines');
    await mkdir(join(dir, 'lib'), { recursive: true });
    marker = join(root, 'spy.marker');
    outsideMarker = join(root, 'outside.marker');
    await write('spy-steps.ts', spyModule(marker));
    await writeFile(join(root, 'outside-steps.ts'), spyModule(outsideMarker));
  });

  it('a definition without `import:` loads and runs without importing anything, even when it names the module', async () => {
    await write(
      'no-import.yaml',
      [
        'name: plain',
        'description: "not an import: { module: ./spy-steps.ts, export: tagger }"',
        'steps:',
        '  - map: { name: module, set: { module: ./spy-steps.ts, export: tagger, import: ./spy-steps.ts } }',
        '  - filter: { column: module, matches: "spy-steps" }',
      ].join('\n'),
    );
    const rows = await run('no-import.yaml');
    assert.deepEqual(rows, [{ text: 'hi', module: './spy-steps.ts', export: 'tagger', import: './spy-steps.ts' }]);
    assert.equal(existsSync(marker), false);
  });

  it('turning imports off still loads a definition that has none', async () => {
    await loadDefinition(join(dir, 'no-import.yaml'), { allowImport: false });
    assert.equal(existsSync(marker), false);
  });

  it('refuses an `import:` when imports are off, before importing', async () => {
    await write('import-off.yaml', 'name: t\nsteps:\n  - import: { module: ./spy-steps.ts, export: tagger, params: { tag: x } }\n');
    assert.equal(
      await refusal('import-off.yaml', { allowImport: false }),
      'SLUICE_DEFINITION_IMPORT 3:23 `import:` of `./spy-steps.ts` at line 3, column 23 (step `import`) is turned off for this load (`allowImport: false`). Load with `allowImport: true` if you trust this definition.',
    );
    assert.equal(existsSync(marker), false);
  });

  it('only an `import:` step naming the module imports it, and runs what it exports', async () => {
    await write(
      'tagged.yaml',
      [
        'name: tagged',
        'steps:',
        '  - import: { module: ./spy-steps.ts, export: tagger, params: { tag: x } }',
        '  - import: { name: loud, module: ./spy-steps.ts, export: shout }',
      ].join('\n'),
    );
    assert.equal(existsSync(marker), false);
    const p = await loadDefinition(join(dir, 'tagged.yaml'));
    assert.equal(existsSync(marker), true);
    assert.deepEqual(
      p.steps.map((s) => [s.name, s.kind]),
      [
        ['tagger', 'map'],
        ['loud', 'map'],
      ],
    );
    assert.deepEqual(await run('tagged.yaml'), [{ text: 'HI', tag: 'x' }]);
  });

  it('refuses absolute paths, paths leaving the folder and packages, unless allowImport is `any`', async () => {
    const outside = join(dir, '..', 'outside-steps.ts');
    await write('absolute.yaml', `name: t\nsteps:\n  - import: { module: ${JSON.stringify(outside)}, export: tagger, params: { tag: a } }\n`);
    assert.equal(
      await refusal('absolute.yaml'),
      `SLUICE_DEFINITION_IMPORT 3:23 \`import:\` of \`${outside}\` at line 3, column 23 (step \`import\`) is not a relative path. A definition may import only modules inside its folder, such as \`./steps.ts\`; load with \`allowImport: 'any'\` to allow absolute paths and packages.`,
    );
    await write('parent.yaml', 'name: t\nsteps:\n  - import: { module: ../outside-steps.ts, export: tagger, params: { tag: p } }\n');
    assert.equal(
      await refusal('parent.yaml'),
      "SLUICE_DEFINITION_IMPORT 3:23 `import:` of `../outside-steps.ts` at line 3, column 23 (step `import`) leaves the definition's folder. Move the module next to the definition, or load with `allowImport: 'any'`.",
    );
    await write('package.yaml', 'name: t\nsteps:\n  - import: { module: rxjs, export: map }\n');
    assert.match(
      await refusal('package.yaml'),
      /^SLUICE_DEFINITION_IMPORT 3:23 `import:` of `rxjs` at line 3, column 23 \(step `import`\) is not a relative path\./,
    );
    assert.equal(existsSync(outsideMarker), false);

    assert.deepEqual(await run('parent.yaml', { allowImport: 'any' }), [{ text: 'hi', tag: 'p' }]);
    assert.equal(existsSync(outsideMarker), true);
    assert.deepEqual(await run('absolute.yaml', { allowImport: 'any' }), [{ text: 'hi', tag: 'a' }]);
  });

  it('refuses a symlink inside the folder that points to a module outside it, before importing it', async () => {
    const { symlink } = await import('node:fs/promises');
    const target = join(dir, '..', 'linked-outside.ts');
    const linkedMarker = join(dir, '..', 'linked.marker');
    await writeFile(target, spyModule(linkedMarker));
    await symlink(target, join(dir, 'inside-link.ts'));
    await write('linked.yaml', 'name: t\nsteps:\n  - import: { module: ./inside-link.ts, export: tagger, params: { tag: l } }\n');
    assert.match(
      await refusal('linked.yaml'),
      /^SLUICE_DEFINITION_IMPORT 3:23 `import:` of `\.\/inside-link\.ts` at line 3, column 23 \(step `import`\) leaves the definition's folder\./,
    );
    assert.equal(existsSync(linkedMarker), false);
  });

  it('takes --set on an import: step (withParams), changing the params its export is called with', async () => {
    const { withParams } = await import('../../lib/config/with-params.ts');
    await write('settable.yaml', 'name: s\nsteps:\n  - import: { module: ./spy-steps.ts, export: tagger, params: { tag: old } }\n');
    const p = withParams(await loadDefinition(join(dir, 'settable.yaml')), { 'tagger.params.tag': 'new' });
    const out = toMemory();
    await p.run({ source: fromIterable([{ text: 'hi' }]), sink: out });
    assert.deepEqual(out.rows, [{ text: 'hi', tag: 'new' }]);
  });

  it("batch: hands rows to a module's function in groups of `size`, and gives each row its result", async () => {
    await write('bulk.ts', 'export function tagAll(rows) { return rows.map((row) => ({ ...row, batchOf: rows.length })); }\n');
    await write('bulk.yaml', 'name: b\nsteps:\n  - batch: { module: ./bulk.ts, export: tagAll, size: 2 }\n');
    const p = await loadDefinition(join(dir, 'bulk.yaml'));
    const out = toMemory();
    await p.run({ source: fromIterable([{ n: 1 }, { n: 2 }, { n: 3 }]), sink: out });
    assert.deepEqual(out.rows.map((r) => r.n).sort(), [1, 2, 3]);
    assert.deepEqual(out.rows.map((r) => r.batchOf).sort(), [1, 2, 2]);
  });

  it('says what is wrong with a missing module, a missing export, or an export that is not a step', async () => {
    await write('missing.yaml', 'name: t\nsteps:\n  - import: { module: ./nope.ts }\n');
    assert.equal(
      await refusal('missing.yaml'),
      `SLUICE_DEFINITION_IMPORT 3:23 Cannot find \`./nope.ts\` at line 3, column 23 (step \`import\`): there is no ${join(dir, 'nope.ts')}.`,
    );
    await write('no-export.yaml', 'name: t\nsteps:\n  - import: { module: ./spy-steps.ts, export: taggr }\n');
    assert.equal(
      await refusal('no-export.yaml'),
      'SLUICE_DEFINITION_INVALID 3:13 Module `./spy-steps.ts` has no export `taggr`; it exports `notAStep`, `shout` and `tagger`, at line 3, column 13 (step `import`).',
    );
    await write('not-a-step.yaml', 'name: t\nsteps:\n  - import: { module: ./spy-steps.ts, export: notAStep }\n');
    assert.equal(
      await refusal('not-a-step.yaml'),
      'SLUICE_DEFINITION_INVALID 3:13 Expected export `notAStep` of `./spy-steps.ts` to be a step or a function that makes one, got number, at line 3, column 13 (step `import`).',
    );
  });
});
