import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, SluiceError } from '../../lib/core/errors.ts';
import {
  LlmAbortError,
  LlmConnectionError,
  LlmError,
  LlmFinishReasonError,
  LlmHttpError,
  LlmNotConfiguredError,
  LlmRateLimitError,
  LlmRetryBudgetError,
  LlmTimeoutError,
} from '../../lib/llm/llm-errors.ts';

describe('LLM errors', () => {
  it('each have a stable code and name, and are Sluice errors', () => {
    const details = { llm: 'judge' };
    const errors = [
      new LlmRateLimitError('m', details),
      new LlmTimeoutError('m', details),
      new LlmHttpError('m', details),
      new LlmConnectionError('m', details),
      new LlmRetryBudgetError('m', details),
      new LlmAbortError('m', details),
      new LlmFinishReasonError('m', { ...details, finishReason: 'length', response: {} }),
      new LlmNotConfiguredError('m'),
    ];
    assert.deepEqual(
      errors.map((e) => [e.name, e.code]),
      [
        ['LlmRateLimitError', 'SLUICE_LLM_RATE_LIMIT'],
        ['LlmTimeoutError', 'SLUICE_LLM_TIMEOUT'],
        ['LlmHttpError', 'SLUICE_LLM_HTTP'],
        ['LlmConnectionError', 'SLUICE_LLM_CONNECTION'],
        ['LlmRetryBudgetError', 'SLUICE_LLM_RETRY_BUDGET'],
        ['LlmAbortError', 'SLUICE_LLM_ABORTED'],
        ['LlmFinishReasonError', 'SLUICE_LLM_FINISH_REASON'],
        ['LlmNotConfiguredError', 'SLUICE_LLM_NOT_CONFIGURED'],
      ],
    );
    assert.equal(
      errors.every((e) => SluiceError.is(e)),
      true,
    );
  });

  it('carry the LLM, attempts, status and request id, and describe themselves for failed rows', () => {
    const cause = new Error('inner');
    const error = new LlmHttpError('LLM `judge` answered 503: busy', { llm: 'judge', attempts: 3, status: 503, requestId: 'req_1', cause });
    assert.ok(error instanceof LlmError);
    assert.deepEqual(
      { llm: error.llm, attempts: error.attempts, status: error.status, requestId: error.requestId, cause: error.cause },
      { llm: 'judge', attempts: 3, status: 503, requestId: 'req_1', cause },
    );
    assert.deepEqual(describeError(error), { code: 'SLUICE_LLM_HTTP', message: 'LLM `judge` answered 503: busy' });
  });
});
