import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmBadResponseError, LlmTimeoutError } from '../../lib/llm/llm-errors.ts';
import { sendAttempt, type SentResponse } from '../../lib/llm/send-attempt.ts';
import { manualClock } from '../helpers/manual-clock.ts';

const ok = (data: unknown): SentResponse<unknown> => ({ data, response: new Response(null, { status: 200 }), request_id: 'req_1' });

describe('sendAttempt', () => {
  it('times the attempt out on the injected clock, aborting the send', async () => {
    const clock = manualClock();
    let seen: AbortSignal | undefined;
    const attempt = sendAttempt(
      (signal) => {
        seen = signal;
        return new Promise<SentResponse<unknown>>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted by the timeout'))));
      },
      { llm: 'judge', kind: 'chat', timeoutMs: 30_000, signal: new AbortController().signal, timers: clock, attempt: 2 },
    );
    const outcome = attempt.catch((error: unknown) => error);
    await clock.advance(29_999);
    assert.equal(seen?.aborted, false);
    await clock.advance(1);
    const error = await outcome;
    assert.ok(error instanceof LlmTimeoutError);
    assert.deepEqual([error.message, error.attempts], ['LLM `judge` did not answer within 30000 ms', 2]);
    assert.equal(clock.timers(), 0);
  });

  it('passes the caller abort through as it is, not as a timeout', async () => {
    const clock = manualClock();
    const caller = new AbortController();
    const attempt = sendAttempt(
      (signal) => new Promise<SentResponse<unknown>>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      { llm: 'a', kind: 'chat', timeoutMs: 1000, signal: caller.signal, timers: clock, attempt: 1 },
    );
    caller.abort('stop');
    await assert.rejects(attempt, (reason: unknown) => reason === 'stop');
    assert.equal(clock.timers(), 0, 'the timer is cleared');
  });

  it('rejects a 200 that is not an answer of its kind with LlmBadResponseError', async () => {
    const clock = manualClock();
    const options = { llm: 'a', timeoutMs: 1000, signal: new AbortController().signal, timers: clock, attempt: 1 };
    const cases: [Parameters<typeof sendAttempt>[1]['kind'], unknown, string][] = [
      ['chat', { id: 'x' }, 'no `choices`'],
      ['chat', { choices: [] }, 'no `choices`'],
      ['complete', 'half a body', 'expected a JSON object, got string'],
      ['embed', { object: 'list' }, 'no `data` list'],
    ];
    for (const [kind, data, problem] of cases) {
      await assert.rejects(
        sendAttempt(async () => ok(data), { ...options, kind }),
        (error: unknown) => {
          assert.ok(error instanceof LlmBadResponseError);
          assert.equal(error.message, `LLM \`a\` answered 200 with a body that is not an answer: ${problem}`);
          assert.equal(error.requestId, 'req_1');
          return true;
        },
      );
    }
    assert.deepEqual((await sendAttempt(async () => ok({ data: [] }), { ...options, kind: 'embed' })).data, { data: [] });
  });
});
