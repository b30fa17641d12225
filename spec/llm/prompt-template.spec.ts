import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptTemplate } from '../../lib/llm/prompt-template.ts';

describe('promptTemplate', () => {
  it('fills columns without HTML escaping and lists the columns it reads', () => {
    const t = promptTemplate('Q: {{ question }} <{{ meta.lang | upcase }}>{% for t in tags %} #{{ t }}{% endfor %}');
    assert.deepEqual([...t.variables].sort(), ['meta', 'question', 'tags']);
    assert.equal(t.render({ question: 'Is 1 < 2 & "true"?', meta: { lang: 'en' }, tags: ['a', 'b'] }), 'Q: Is 1 < 2 & "true"? <EN> #a #b');
  });

  it('treats an unknown column as an error, not an empty string', () => {
    assert.throws(() => promptTemplate('Hi {{ nmae }}').render({ name: 'x' }), /undefined variable: nmae/);
  });

  it('cannot read local files through include or render', () => {
    assert.throws(() => promptTemplate("{% include '/etc/passwd' %}").render({}), { code: 'SLUICE_CONFIG' });
    assert.throws(() => promptTemplate('{% render file %}').render({ file: '/etc/hostname' }));
  });

  it('prints plain columns exactly as liquid does, on its fast path', () => {
    const plain = promptTemplate('Q {{ x }} and {{y}}!');
    const viaLiquid = promptTemplate('Q {{ x }} and {{y}}!{% comment %}forces liquid{% endcomment %}');
    for (const [x, y] of [
      ['a<b>&"', 1],
      [0.1, -0],
      [1e21, true],
      ['', false],
      [Number.MAX_SAFE_INTEGER, 'ü'],
    ] as const) {
      assert.equal(plain.render({ x, y }), viaLiquid.render({ x, y }), `x=${String(x)} y=${String(y)}`);
    }
    // Anything else goes to liquid: lists, objects, null, and missing columns (an error).
    assert.equal(plain.render({ x: ['a', 'b'], y: null }), viaLiquid.render({ x: ['a', 'b'], y: null }));
    assert.throws(() => plain.render({ x: 1 }), /undefined variable: y/);
  });

  it('stops a template that would loop for long or fill memory: a render limit, not minutes and gigabytes', () => {
    const looping = promptTemplate('{% for i in (1..30000000) %}x{% endfor %}{{ q }}', 'prompt');
    assert.throws(() => looping.render({ q: 'a' }), /render limit exceeded/);
  });
});
