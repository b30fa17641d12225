import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatTemplate } from '../../lib/llm/chat-messages.ts';

describe('chatTemplate', () => {
  it('puts the system prompt first, then the few-shot exchanges, then the rendered prompt', () => {
    const template = chatTemplate('Translate: {{ text }}', 'You translate into {{ lang }}.', [
      { user: 'Translate: cat', assistant: 'chat' },
      { user: 'Translate: dog', assistant: 'chien' },
    ]);
    assert.deepEqual([...template.variables].sort(), ['lang', 'text']);
    assert.deepEqual(template.render({ text: 'bird', lang: 'French' }), [
      { role: 'system', content: 'You translate into French.' },
      { role: 'user', content: 'Translate: cat' },
      { role: 'assistant', content: 'chat' },
      { role: 'user', content: 'Translate: dog' },
      { role: 'assistant', content: 'chien' },
      { role: 'user', content: 'Translate: bird' },
    ]);
  });

  it('rejects few-shot examples that are not user/assistant string pairs', () => {
    assert.throws(() => chatTemplate('x', undefined, [{ user: 'a' } as never]), { code: 'SLUICE_CONFIG' });
  });
});
