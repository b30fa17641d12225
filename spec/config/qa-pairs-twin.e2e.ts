import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { definitionOf } from '../../lib/config/save-definition.ts';
import { llmsOf } from '../../lib/config/llms-of.ts';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import type { Row } from '../../lib/core/row.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { runCli } from '../helpers/run-cli.ts';

const withoutMetadata = (rows: readonly Row[]) => rows.map(({ _sluice, ...row }) => JSON.stringify(row)).sort();

describe('examples/qa-pairs.yaml, the YAML twin of examples/qa-pairs.ts', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('gives the same 15 rows as the TS twin on the simulator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-twin-'));
    const out = join(dir, 'qa.jsonl');
    const ts = await runCli(['run', 'examples/qa-pairs.ts', '--llm', 'simulated', '-o', out], '', {
      env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', SLUICE_MODEL: 'gpt-4o-mini' },
    });
    assert.equal(ts.code, 0, ts.stderr);
    const tsRows = (await readFile(out, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row);

    const yaml = await loadDefinition('examples/qa-pairs.yaml', {
      env: { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-sluice-simulated', SLUICE_MODEL: 'gpt-4o-mini' },
    });
    try {
      const rows = toMemory();
      const summary = await yaml.run({ sink: rows });
      assert.equal(summary.source.done, 5);
      assert.equal(rows.rows.length, 15);
      assert.deepEqual(Object.keys(rows.rows[0]!).sort(), ['_sluice', 'answer', 'question', 'subtopic', 'topic']);
      assert.deepEqual(withoutMetadata(rows.rows), withoutMetadata(tsRows));
    } finally {
      await Promise.all(llmsOf(yaml).map((llm) => llm.close()));
    }
  });

  it('loads with no endpoint configured when LLMs are lazy, for `sluice validate` and `graph`', async () => {
    const yaml = await loadDefinition('examples/qa-pairs.yaml', { env: {}, llms: 'lazy' });
    yaml.validate(['topic']);
    assert.deepEqual(
      yaml.steps.map((step) => step.name),
      ['subtopics', 'unpack', 'scatter', 'question', 'answer'],
    );
    assert.deepEqual(definitionOf(yaml).llms, { writer: { model: 'gpt-4o-mini', params: { temperature: 0.7, max_tokens: 400 }, concurrency: 32 } });
  });
});
