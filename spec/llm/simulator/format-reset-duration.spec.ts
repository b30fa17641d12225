import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatResetDuration } from '../../../lib/llm/simulator/format-reset-duration.ts';

describe('formatResetDuration', () => {
  it("writes durations the way OpenAI's reset headers do", () => {
    assert.deepEqual([0, 0.2, 20, 999, 1000, 8640, 59_980, 60_000, 86_400, 360_000, 3_723_500].map(formatResetDuration), [
      '0s',
      '1ms',
      '20ms',
      '999ms',
      '1s',
      '8.64s',
      '59.98s',
      '1m0s',
      '1m26.4s',
      '6m0s',
      '1h2m3.5s',
    ]);
  });
});
