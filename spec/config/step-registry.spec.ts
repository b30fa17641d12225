import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { closestNames } from '../../lib/config/names.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { definitionOf } from '../../lib/config/save-definition.ts';
import type { StepKind } from '../../lib/config/step-kind.ts';
import { StepRegistry, stepRegistry } from '../../lib/config/step-registry.ts';
import { withParams } from '../../lib/config/with-params.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { map } from '../../lib/operators/map.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const shout: StepKind = {
  description: 'Upper-cases a column.',
  schema: z.strictObject({ name: z.string().optional(), column: z.string().describe('The column to shout.') }),
  build: ({ name, column }) => map((row: Row) => ({ ...row, [column]: String(row[column]).toUpperCase() }), { name }),
};

describe('StepRegistry', () => {
  it('has the built-in kinds', () => {
    assert.deepEqual(stepRegistry.kinds(), [
      'generate',
      'structured',
      'complete',
      'embed',
      'scatter',
      'filter',
      'dedup',
      'perplexity',
      'map',
      'parseJson',
      'aggregate',
      'batch',
      'route',
      'broadcast',
      'join',
      'combine',
      'import',
      'pipeline',
      'textGeneration',
      'textClassification',
      'ultraFeedback',
      'magpie',
      'preferencePairs',
      'pairwiseJudge',
      'qualityScorer',
      'complexityScorer',
      'selfInstruct',
      'genstruct',
      'evolInstruct',
      'evolQuality',
    ]);
  });

  it('builds one step from a kind and its params, as a definition would', () => {
    const step = stepRegistry.build('filter', { name: 'has-text', column: 'text', nonEmpty: true });
    assert.deepEqual([step.name, step.kind, step.params], ['has-text', 'filter', { column: 'text', nonEmpty: true }]);
    assert.throws(() => stepRegistry.build('filter', { column: 'text', nonEmpty: 'yes' }), {
      name: 'DefinitionError',
      message: 'Expected `nonEmpty` to be `true`, got `"yes"` (step `filter`).',
    });
  });

  it('builds, suggests, saves and rebuilds a registered kind of yours', async () => {
    const registry = stepRegistry.clone().register('shout', shout);
    assert.equal(stepRegistry.get('shout'), undefined);
    const text = 'name: loud\nsteps:\n  - shout: { name: loud, column: text }\n';
    const p = await parseDefinition(text, { registry });
    const out = toMemory();
    await p.run({ source: fromIterable([{ text: 'hi' }]), sink: out });
    assert.deepEqual(out.rows, [{ text: 'HI' }]);
    assert.deepEqual(definitionOf(p, { registry }).steps, [{ shout: { name: 'loud', column: 'text' } }]);
    assert.deepEqual(withParams(p, { 'loud.column': 'other' }, { registry }).steps[0]!.name, 'loud');
    await assert.rejects(parseDefinition('name: x\nsteps:\n  - shuot: { column: text }\n', { registry }), {
      message: 'Unknown step `shuot` at line 3, column 5. Did you mean `shout`?',
    });
    await assert.rejects(parseDefinition(text), { message: /^Unknown step `shout` at line 3, column 5\. Known steps: `generate`, / });
  });

  it('cannot save a step of your kind that it did not build', () => {
    const registry = stepRegistry.clone().register('shout', shout);
    const step = shout.build({ column: 'text' }, undefined as never);
    assert.throws(
      () => definitionOf(pipeline('p').pipe(step), { registry }),
      /^DefinitionError: Cannot save step `map`: it is a `map` built with your own code/,
    );
  });

  it('refuses a second kind of the same name, bad names and entries without a schema', () => {
    const registry = new StepRegistry().register('shout', shout);
    assert.throws(() => registry.register('shout', shout), {
      message: 'Step kind `shout` is already registered. Pick another name, or pass `{ replace: true }`.',
    });
    registry.register('shout', shout, { replace: true });
    assert.throws(() => registry.register('2fast', shout), {
      message: 'Expected the step kind to be a name of letters, digits, `_` and `-`, starting with a letter, got `2fast`',
    });
    assert.throws(() => registry.register('bare', { description: 'x', build: shout.build } as never), {
      message: 'Expected step kind `bare` to have a zod `schema` and a `build` function.',
    });
  });

  it('sends import steps to loadDefinition, which can load their modules', () => {
    assert.throws(() => stepRegistry.build('import', { module: './x.ts' }), /^DefinitionError: Cannot find `\.\/x\.ts` \(step `import`\): there is no /);
  });
});

describe('closestNames', () => {
  it('lists up to three close names, closest first, ignoring case first', () => {
    assert.deepEqual(closestNames('generat', ['generate', 'structured', 'complete']), ['generate']);
    assert.deepEqual(closestNames('Map', ['map', 'mop', 'cap', 'maps', 'filter']), ['map', 'cap', 'mop']);
    assert.deepEqual(closestNames('frobnicate', ['generate', 'map']), []);
  });
});
