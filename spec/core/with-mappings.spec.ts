import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MissingColumnsError } from '../../lib/core/errors.ts';
import { defineStep } from '../../lib/core/define-step.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { withMappings } from '../../lib/core/with-mappings.ts';
import { map } from '../../lib/operators/map.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

/** A step that reads `question` and writes `answer`, declared as such. */
const answer = () => {
  const inner = map((row: Record<string, unknown>) => ({ ...row, answer: `A: ${String(row.question)}` }), { name: 'answer' });
  return defineStep({ kind: 'answer', name: 'answer', needs: ['question'], adds: ['answer'], operator: inner.operator });
};

describe('withMappings', () => {
  it('feeds a step its input from another column and renames its output', async () => {
    const out = toMemory();
    await pipeline('m')
      .from(fromIterable([{ prompt: 'why?' }]))
      .pipe(withMappings(answer(), { inputs: { question: 'prompt' }, outputs: { answer: 'reply' } }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    assert.deepEqual(out.rows, [{ prompt: 'why?', reply: 'A: why?' }]);
  });

  it('lets validation see the mapped names', () => {
    const step = withMappings(answer(), { inputs: { question: 'prompt' }, outputs: { answer: 'reply' } });
    assert.deepEqual(step.needs, ['prompt']);
    const after = step.columnsAfter({ known: new Set(['prompt']), open: false });
    assert.deepEqual([...after.known].sort(), ['prompt', 'reply']);
    const p = pipeline('v').pipe(answer());
    assert.throws(() => p.validate(['prompt']), MissingColumnsError);
    pipeline('v').pipe(step).validate(['prompt']);
  });

  it('says what it expected for a bad mapping', () => {
    assert.throws(() => withMappings(answer(), { inputs: { question: '' } }), { message: 'Expected `inputs.question` to be a column name, got ``' });
  });
});
