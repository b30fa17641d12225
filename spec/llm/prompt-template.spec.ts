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
});
