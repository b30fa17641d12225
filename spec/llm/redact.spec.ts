import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { redact, scrubError } from '../../lib/llm/redact.ts';

const KEY = 'sk-test-0123456789abcdefghij';

describe('redact', () => {
  it('removes each given secret wherever it appears', () => {
    assert.equal(redact(`key=${KEY}; again ${KEY}`, [KEY]), 'key=[REDACTED]; again [REDACTED]');
  });

  it('removes Bearer credentials whatever the token', () => {
    assert.equal(redact('{"authorization":"Bearer abc.def"} and bearer xyz', []), '{"authorization":"Bearer [REDACTED]"} and bearer [REDACTED]');
  });

  it('removes strings shaped like OpenAI keys, even ones it was not told about', () => {
    assert.equal(redact('other key sk-proj-AAAAAAAAAAAAAAAAAAAAAAAA here'), 'other key [REDACTED] here');
  });

  it('leaves text alone when it holds no secret, and ignores secrets too short to be real', () => {
    assert.equal(redact('429 Too Many Requests: slow down', ['', 'x', undefined]), '429 Too Many Requests: slow down');
  });
});

describe('scrubError', () => {
  it('keeps name, message, code and status, drops everything else, and scrubs the cause chain', () => {
    const inner = Object.assign(new Error(`socket said ${KEY}`), { code: 'ECONNRESET', headers: { authorization: `Bearer ${KEY}` } });
    const outer = Object.assign(new TypeError(`failed for ${KEY}`, { cause: inner }), { status: 401, body: { echoed: KEY } });
    const copy = scrubError(outer, [KEY]);
    assert.equal(copy.name, 'TypeError');
    assert.equal(copy.message, 'failed for [REDACTED]');
    assert.equal((copy as { status?: number }).status, 401);
    assert.equal((copy.cause as Error & { code?: string }).code, 'ECONNRESET');
    assert.equal((copy.cause as Error).message, 'socket said [REDACTED]');
    assert.doesNotMatch(inspect(copy, { depth: Infinity }), /sk-test/);
  });

  it('turns a non-error into an error with its scrubbed text', () => {
    assert.equal(scrubError(`thrown ${KEY}`, [KEY]).message, 'thrown [REDACTED]');
  });

  it('stops at five levels of a cause that loops', () => {
    const loop = new Error('loop');
    loop.cause = loop;
    let depth = 0;
    for (let e: unknown = scrubError(loop); e instanceof Error; e = e.cause) depth++;
    assert.equal(depth, 6);
  });
});
