import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DefinitionError } from '../../lib/config/definition-error.ts';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import { savePipeline } from '../../lib/config/save-definition.ts';
import { toFailedFile } from '../../lib/sinks/failed-rows.ts';
import { toMemory } from '../../lib/sinks/memory.ts';

/** A reader and a writer of a made-up format (`n|text` lines), as a user would write them: no Sluice import. */
const formatModule = `
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';

export function pipeRows({ path }) {
  return {
    name: 'pipes',
    positions: 'line',
    async *read(signal) {
      const lines = readFileSync(path, 'utf8').split('\\n').filter(Boolean);
      yield lines.map((line, i) => {
        const [n, text] = line.split('|');
        return { ok: true, row: { n: Number(n), text }, position: i + 1 };
      });
    },
  };
}

export function pipeWriter({ path }) {
  writeFileSync(path, '');
  return {
    name: path,
    write(row, _leaf, done) {
      appendFileSync(path, row.n + '|' + row.text + '\\n');
      process.nextTick(done);
    },
    async close() {},
  };
}

export const fixedRows = pipeRows({ path: new URL('./rows.txt', import.meta.url).pathname });
export const notASource = { name: 'x' };
export const answer = 42;
`;

describe('input: and output: through import:, your own source and sink', () => {
  let dir: string;
  const load = (name: string) => loadDefinition(join(dir, name));
  const refusal = async (name: string) => {
    const error = await load(name).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${String(error)}`);
    return `${error.code} ${error.line}:${error.column} ${error.message}`;
  };

  before(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'sluice-import-io-')), 'defs');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'pipes.ts'), formatModule);
    await writeFile(join(dir, 'rows.txt'), '1|tides\n2|bread\n');
  });

  it('reads with an exported source factory and writes with an exported sink factory, called with params', async () => {
    const out = join(dir, 'out.txt');
    await writeFile(
      join(dir, 'p.yaml'),
      `name: pipes
input: { import: ./pipes.ts, export: pipeRows, params: { path: ${JSON.stringify(join(dir, 'rows.txt'))} } }
output: { import: ./pipes.ts, export: pipeWriter, params: { path: ${JSON.stringify(out)} } }
steps:
  - map: { set: { text: shouted } }
`,
    );
    const p = await load('p.yaml');
    const summary = await p.run({ failed: toFailedFile(join(dir, 'failed.jsonl')) });
    assert.equal(summary.status, 'ok');
    assert.equal(readFileSync(out, 'utf8'), '1|shouted\n2|shouted\n');
  });

  it('takes an exported source as it is, and saves the import relative to where the definition goes', async () => {
    await writeFile(join(dir, 'fixed.yaml'), 'name: fixed\ninput: { import: ./pipes.ts, export: fixedRows }\nsteps: []\n');
    const p = await load('fixed.yaml');
    const memory = toMemory();
    await p.run({ sink: memory, failed: toFailedFile(join(dir, 'failed2.jsonl')) });
    assert.deepEqual(memory.rows, [
      { n: 1, text: 'tides' },
      { n: 2, text: 'bread' },
    ]);
    await mkdir(join(dir, 'saved'), { recursive: true });
    await savePipeline(p, join(dir, 'saved', 'fixed.yaml'));
    assert.match(readFileSync(join(dir, 'saved', 'fixed.yaml'), 'utf8'), /input:\n\s+import: \.\.\/pipes\.ts\n\s+export: fixedRows/);
  });

  it('says what is wrong, where: a missing export, a value that is not a source, params given to a source', async () => {
    await writeFile(join(dir, 'missing.yaml'), 'name: m\ninput: { import: ./pipes.ts, export: nope }\nsteps: []\n');
    assert.match(await refusal('missing.yaml'), /^SLUICE_DEFINITION_IMPORT 2:\d+ Module `\.\/pipes\.ts`.* has no export `nope`; it exports .*`pipeRows`/);
    await writeFile(join(dir, 'not-source.yaml'), 'name: m\ninput: { import: ./pipes.ts, export: notASource }\nsteps: []\n');
    assert.match(
      await refusal('not-source.yaml'),
      /^SLUICE_DEFINITION_IMPORT 2:\d+ Expected the export `notASource` of `\.\/pipes\.ts` to be a source or a function that makes one/,
    );
    await writeFile(join(dir, 'not-sink.yaml'), 'name: m\nsteps: []\noutput:\n  import: ./pipes.ts\n  export: answer\n');
    assert.match(await refusal('not-sink.yaml'), /^SLUICE_DEFINITION_IMPORT 4:\d+ Expected the export `answer` of `\.\/pipes\.ts` to be a sink/);
    await writeFile(join(dir, 'params.yaml'), 'name: m\ninput: { import: ./pipes.ts, export: fixedRows, params: { a: 1 } }\nsteps: []\n');
    assert.match(await refusal('params.yaml'), /is a source, not a function that makes one: remove `params`/);
    await writeFile(join(dir, 'outside.yaml'), 'name: m\ninput: { import: ../elsewhere.ts }\nsteps: []\n');
    assert.match(await refusal('outside.yaml'), /leaves the definition's folder/);
  });
});
