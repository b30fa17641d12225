import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { describeError } from '../../lib/core/errors.ts';
import { createLlm, type Llm, type LlmEvent, type LlmOptions } from '../../lib/llm/client.ts';
import {
  LlmAbortError,
  LlmAuthError,
  LlmFinishReasonError,
  LlmHttpError,
  LlmNotConfiguredError,
  LlmRetryBudgetError,
  LlmTimeoutError,
  LlmUnavailableError,
} from '../../lib/llm/llm-errors.ts';

const KEY = 'sk-sluice-test-4f9a8b7c6d5e4f3a2b1c';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen, index: number) => void;

/**
 * A loopback OpenAI-compatible stand-in: answers with the handler of the current test,
 * keeps every request, the peak of requests in flight, and the requests whose connection
 * the client closed before the answer was sent.
 */
async function startServer() {
  let handler: Handler = (_req, res) => reply(res, 200, completion());
  const state = { requests: [] as Seen[], inFlight: 0, peak: 0, clientClosed: 0, closeWaiters: [] as (() => void)[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {},
      };
      const index = state.requests.push(seen) - 1;
      state.inFlight++;
      state.peak = Math.max(state.peak, state.inFlight);
      res.on('close', () => {
        state.inFlight--;
        if (!res.writableFinished) {
          state.clientClosed++;
          for (const wake of state.closeWaiters.splice(0)) wake();
        }
      });
      handler(req, res, seen, index);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    state,
    handle(next: Handler) {
      handler = next;
      state.requests = [];
      state.peak = 0;
      state.clientClosed = 0;
    },
    /** Resolves when the client has closed a connection before its answer. */
    clientClosedConnection: () => new Promise<void>((resolve) => state.closeWaiters.push(resolve)),
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function completion({
  content = 'Paris.',
  finishReason = 'stop',
  model = 'gpt-4o-mini',
  usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
} = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null }],
    usage,
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const ask = { messages: [{ role: 'user' as const, content: 'What is the capital of France?' }] };

describe('createLlm', async () => {
  const server = await startServer();
  const llms: Llm[] = [];
  /** An LLM against the test server, closed after the test; zero-jitter retries unless told. */
  function llm(options: Partial<LlmOptions> = {}): Llm & { seen: LlmEvent[] } {
    const created = createLlm({ baseURL: server.url, apiKey: KEY, model: 'gpt-4o-mini', retry: { random: () => 0 }, random: () => 0, ...options });
    const seen: LlmEvent[] = [];
    created.events.subscribe((event) => seen.push(event));
    llms.push(created);
    return Object.assign(created, { seen });
  }
  afterEach(async () => {
    await Promise.all(llms.splice(0).map((l) => l.close()));
  });
  after(() => server.close());

  it('sends a chat request with the model, default params and key, and resolves with the response, attempts and request id', async () => {
    server.handle((_req, res) =>
      reply(res, 200, completion(), { 'x-request-id': 'req_abc', 'openai-processing-ms': '42', 'x-ratelimit-remaining-requests': '499' }),
    );
    const judge = llm({ name: 'judge', params: { temperature: 0, max_tokens: 20 }, headers: { 'x-team': 'data' } });
    const result = await judge.chat({ ...ask, max_tokens: 10 });
    const [request] = server.state.requests;
    assert.equal(request!.url, '/v1/chat/completions');
    assert.equal(request!.headers.authorization, `Bearer ${KEY}`);
    assert.equal(request!.headers['x-team'], 'data');
    assert.deepEqual(request!.body, { temperature: 0, max_tokens: 10, ...ask, model: 'gpt-4o-mini', stream: false });
    assert.equal(result.response.choices[0]!.message.content, 'Paris.');
    assert.deepEqual(
      { attempts: result.attempts, requestId: result.requestId, model: result.model, processingMs: result.processingMs, rateLimit: result.rateLimit },
      { attempts: 1, requestId: 'req_abc', model: 'gpt-4o-mini', processingMs: 42, rateLimit: { remainingRequests: 499 } },
    );
    assert.deepEqual(
      judge.seen.map((e) => [e.type, e.llm, e.attempt]),
      [
        ['request', 'judge', 1],
        ['response', 'judge', 1],
      ],
    );
  });

  it('retries a 429 after its retry-after, without pausing the whole LLM, and resolves on the second attempt', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index === 0) reply(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after-ms': '30' });
      else reply(res, 200, completion());
    });
    const model = llm();
    const result = await model.chat(ask);
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      model.seen.filter((e) => e.type === 'rate-limited'),
      [{ llm: 'gpt-4o-mini', kind: 'chat', call: 1, type: 'rate-limited', attempt: 1, status: 429, delayMs: 30 }],
    );
    assert.deepEqual(
      model.seen.map((e) => e.type),
      ['request', 'rate-limited', 'retry', 'request', 'response'],
    );
    assert.equal(model.rateLimiter.snapshot().pauses, 0);
    const { calls, requests, responses, retries, rateLimited, errors } = model.usage.snapshot();
    assert.deepEqual(
      { calls, requests, responses, retries, rateLimited, errors },
      { calls: 1, requests: 2, responses: 1, retries: 1, rateLimited: 1, errors: 0 },
    );
  });

  it('retries two 500s and resolves on the third attempt', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index < 2) reply(res, 500, { error: { message: 'The server had an error' } });
      else reply(res, 200, completion());
    });
    const model = llm();
    const result = await model.chat(ask);
    assert.equal(result.attempts, 3);
    assert.equal(server.state.requests.length, 3);
    assert.deepEqual(
      model.seen.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.attempt, e.status, e.reason, e.code]),
      [
        [1, 500, 'server-error', 'SLUICE_LLM_HTTP'],
        [2, 500, 'server-error', 'SLUICE_LLM_HTTP'],
      ],
    );
  });

  it('keeps retrying 429s past maxAttempts and an empty retry budget: a 429 never fails a call', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index < 5) reply(res, 429, { error: { message: 'Slow down' } }, { 'retry-after-ms': '1' });
      else reply(res, 200, completion());
    });
    const model = llm({ retry: { maxAttempts: 2, budget: { ratio: 0, minRetries: 0 }, random: () => 0 } });
    const result = await model.chat(ask);
    assert.equal(result.attempts, 6);
    assert.equal(model.usage.snapshot().rateLimited, 5);
    assert.equal(model.usage.snapshot().errors, 0);
  });

  it('delays only the request that got a sporadic 429, and pauses the whole LLM after 429s in a row', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index === 0 || (index >= 2 && index < 10)) reply(res, 429, { error: { message: 'Slow down' } }, { 'retry-after-ms': '1' });
      else reply(res, 200, completion());
    });
    const model = llm({ concurrency: 1 });
    await model.chat(ask);
    assert.equal(model.rateLimiter.snapshot().pauses, 0, 'one 429 between answers is not evidence of a spent budget');
    await model.chat(ask);
    assert.equal(model.rateLimiter.snapshot().pauses, 1, 'eight 429s in a row are');
  });

  it('does not retry a 400, and says what the server said', async () => {
    server.handle((_req, res) =>
      reply(res, 400, { error: { message: 'Unrecognized request argument supplied: foo', type: 'invalid_request_error', code: 'invalid_argument' } }),
    );
    const model = llm();
    await assert.rejects(model.chat(ask), (error: unknown) => {
      assert.ok(error instanceof LlmHttpError);
      assert.deepEqual(describeError(error), {
        code: 'SLUICE_LLM_HTTP',
        message: 'LLM `gpt-4o-mini` answered 400 invalid_argument: Unrecognized request argument supplied: foo',
      });
      assert.equal(error.attempts, 1);
      return true;
    });
    assert.equal(server.state.requests.length, 1);
    assert.deepEqual(
      model.seen.map((e) => e.type),
      ['request', 'error'],
    );
  });

  it('times out an attempt that hangs, closing its connection, and fails with LlmTimeoutError', async () => {
    server.handle(() => {}); // Never answers.
    const closed = server.clientClosedConnection();
    const model = llm({ timeoutMs: 200, retry: { maxAttempts: 1 } });
    await assert.rejects(model.chat(ask), (error: unknown) => {
      assert.ok(error instanceof LlmTimeoutError);
      assert.equal(error.message, 'LLM `gpt-4o-mini` did not answer within 200 ms');
      return true;
    });
    await closed;
    assert.equal(server.state.clientClosed, 1);
  });

  it('retries a timed-out attempt like any other transient failure', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index > 0) reply(res, 200, completion());
    });
    const model = llm({ timeoutMs: 200 });
    const result = await model.chat(ask);
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      model.seen.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason),
      ['timeout'],
    );
  });

  it('closes the connection when the caller aborts, and fails with LlmAbortError', async () => {
    const controller = new AbortController();
    server.handle(() => controller.abort(new Error('user pressed Ctrl+C')));
    const closed = server.clientClosedConnection();
    const model = llm();
    await assert.rejects(model.chat(ask, { signal: controller.signal }), (error: unknown) => {
      assert.ok(error instanceof LlmAbortError);
      assert.equal(error.code, 'SLUICE_LLM_ABORTED');
      assert.equal((error.cause as Error).message, 'user pressed Ctrl+C');
      return true;
    });
    await closed;
    assert.equal(server.state.requests.length, 1);
    assert.deepEqual(
      model.seen.map((e) => e.type),
      ['request', 'error'],
    );
  });

  it('does not send a call whose signal is already aborted', async () => {
    server.handle((_req, res) => reply(res, 200, completion()));
    const model = llm();
    await assert.rejects(model.chat(ask, { signal: AbortSignal.abort() }), LlmAbortError);
    assert.equal(server.state.requests.length, 0);
  });

  it("fails with LlmFinishReasonError on finish_reason 'length' when configured, keeping the reply", async () => {
    server.handle((_req, res) => reply(res, 200, completion({ content: 'The capital of Fr', finishReason: 'length' })));
    const strict = llm({ failOnFinishReasons: ['length', 'content_filter'] });
    await assert.rejects(strict.chat(ask), (error: unknown) => {
      assert.ok(error instanceof LlmFinishReasonError);
      assert.equal(error.code, 'SLUICE_LLM_FINISH_REASON');
      assert.equal(error.finishReason, 'length');
      assert.equal((error.response as ReturnType<typeof completion>).choices[0]!.message.content, 'The capital of Fr');
      return true;
    });
    assert.equal(server.state.requests.length, 1); // Not retried.
    assert.equal(strict.usage.snapshot().completionTokens, 3); // The tokens were spent all the same.
    const lenient = llm();
    assert.equal((await lenient.chat(ask)).response.choices[0]!.finish_reason, 'length');
  });

  it('keeps exactly `concurrency` requests in flight: 20 calls at concurrency 4 peak at 4', async () => {
    server.handle((_req, res) => setTimeout(() => reply(res, 200, completion()), 30));
    const model = llm({ concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 20 }, () => model.chat(ask)));
    assert.equal(results.length, 20);
    assert.equal(server.state.requests.length, 20);
    assert.equal(server.state.peak, 4);
  });

  it('learns rate limits from the response headers', async () => {
    server.handle((_req, res) =>
      reply(res, 200, completion(), { 'x-ratelimit-limit-requests': '100', 'x-ratelimit-limit-tokens': '20000', 'x-ratelimit-remaining-tokens': '19000' }),
    );
    // Time stands still, so no refill blurs the level the headers set.
    const model = llm({
      clock: { now: () => 0, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
    });
    await model.chat(ask);
    const { rpm, tpm, tokensAvailable } = model.rateLimiter.snapshot();
    assert.deepEqual({ rpm, tpm, tokensAvailable }, { rpm: 100, tpm: 20000, tokensAvailable: 19000 });
  });

  it('accounts tokens and cost by the price table', async () => {
    server.handle((_req, res) => reply(res, 200, completion({ usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } })));
    const model = llm({ prices: { 'gpt-4o-mini': { input: 1, output: 2 } } });
    await model.chat(ask);
    await model.chat(ask);
    const { promptTokens, completionTokens, costUsd, priced } = model.usage.snapshot();
    assert.deepEqual({ promptTokens, completionTokens, costUsd, priced }, { promptTokens: 2000, completionTokens: 1000, costUsd: 0.004, priced: true });
  });

  it('sends legacy completions and embeddings to their endpoints', async () => {
    server.handle((req, res) => {
      if (req.url === '/v1/completions') {
        reply(res, 200, {
          id: 'cmpl-1',
          object: 'text_completion',
          created: 1,
          model: 'gpt-3.5-turbo-instruct',
          choices: [{ index: 0, text: ' world', finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      } else {
        reply(res, 200, {
          object: 'list',
          model: 'text-embedding-3-small',
          data: [{ object: 'embedding', index: 0, embedding: [0.5, -0.5] }],
          usage: { prompt_tokens: 2, total_tokens: 2 },
        });
      }
    });
    const model = llm({ params: { temperature: 0.7 } });
    const completed = await model.complete({ prompt: 'Hello', model: 'gpt-3.5-turbo-instruct' });
    const embedded = await model.embed({ input: 'Hello', model: 'text-embedding-3-small' });
    assert.equal(completed.response.choices[0]!.text, ' world');
    assert.deepEqual(Array.from(embedded.response.data[0]!.embedding), [0.5, -0.5]);
    assert.deepEqual(
      server.state.requests.map((r) => [r.url, r.body.model, r.body.temperature]),
      [
        ['/v1/completions', 'gpt-3.5-turbo-instruct', 0.7],
        ['/v1/embeddings', 'text-embedding-3-small', undefined],
      ],
    );
  });

  it('stops retrying when the retry budget is spent, with LlmRetryBudgetError', async () => {
    server.handle((_req, res) => reply(res, 503, { error: { message: 'Overloaded' } }));
    const model = llm({ retry: { budget: { ratio: 0, minRetries: 1 }, random: () => 0 } });
    await assert.rejects(model.chat(ask), (error: unknown) => {
      assert.ok(error instanceof LlmRetryBudgetError);
      assert.equal(error.attempts, 2);
      assert.equal(error.status, 503);
      assert.match(error.message, /^LLM `gpt-4o-mini` answered 503: Overloaded\. Not retried: the retry budget of LLM `gpt-4o-mini` is spent/);
      return true;
    });
    assert.equal(server.state.requests.length, 2);
  });

  it('stops with one fatal LlmUnavailableError when nothing listens for unreachableAfterMs, and fails later calls at once', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const model = llm({
      baseURL: `http://127.0.0.1:${port}/v1`,
      unreachableAfterMs: 50,
      retry: { maxAttempts: 2, budget: { ratio: 0, minRetries: 0 }, random: () => 0 },
    });
    const first = await model.chat(ask).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(first instanceof LlmUnavailableError);
    assert.equal(first.fatal, true);
    assert.ok(first.attempts >= 2, `${first.attempts} attempts: refused connections are retried past maxAttempts until unreachableAfterMs`);
    assert.match(
      first.message,
      new RegExp(
        `^Could not reach LLM \`gpt-4o-mini\` at http://127\\.0\\.0\\.1:${port}/v1: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\. Nothing has answered there for 50 ms, so the run stops\\.`,
      ),
    );
    const requests = model.usage.snapshot().requests;
    await assert.rejects(model.chat(ask), (error: unknown) => error === first);
    assert.equal(model.usage.snapshot().requests, requests, 'no request after the endpoint was found down');
  });

  it('stops with one fatal LlmAuthError on a 401, and sends nothing more', async () => {
    server.handle((_req, res) => reply(res, 401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }));
    const model = llm({ concurrency: 1 });
    const calls = Array.from({ length: 10 }, () =>
      model.chat(ask).then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      ),
    );
    const errors = await Promise.all(calls);
    assert.ok(errors[0] instanceof LlmAuthError);
    assert.equal((errors[0] as LlmAuthError).fatal, true);
    assert.ok(
      errors.every((e) => e === errors[0]),
      'every call ends with the one error',
    );
    await assert.rejects(model.chat(ask), (error: unknown) => error === errors[0]);
    assert.equal(server.state.requests.length, 1, 'the calls queued behind the 401 were never sent');
  });

  it('retries a 200 whose body is not JSON, has no choices, or is cut off, like a 5xx', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"x","choices":[{"index":0,');
      } else if (index === 1) reply(res, 200, { id: 'x', object: 'chat.completion' });
      else reply(res, 200, completion());
    });
    const model = llm();
    const result = await model.chat(ask);
    assert.equal(result.attempts, 3);
    assert.deepEqual(
      model.seen.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.reason, e.code]),
      [
        ['bad-response', 'SLUICE_LLM_BAD_RESPONSE'],
        ['bad-response', 'SLUICE_LLM_BAD_RESPONSE'],
      ],
    );
  });

  it('never lets the API key into errors, their causes, or events, even when the server echoes it', async () => {
    server.handle((req, res) =>
      reply(res, 401, { error: { message: `Incorrect API key provided. You sent: ${req.headers.authorization}`, code: 'invalid_api_key' } }),
    );
    const model = llm();
    const error = await model.chat(ask).then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as Error,
    );
    assert.ok(
      error.message.startsWith(
        'LLM `gpt-4o-mini` answered 401 invalid_api_key: Incorrect API key provided. You sent: Bearer [REDACTED]. The server refused the API key',
      ),
      error.message,
    );
    assert.doesNotMatch(inspect(error, { depth: Infinity, showHidden: true }), /sk-sluice-test/);
    assert.doesNotMatch(JSON.stringify(describeError(error)), /sk-sluice-test/);
    const chain: unknown[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push({ ...e, name: e.name, message: e.message, stack: e.stack });
    assert.equal(chain.length >= 2, true);
    assert.doesNotMatch(JSON.stringify(chain), /sk-sluice-test/);
    assert.doesNotMatch(JSON.stringify(model.seen), /sk-sluice-test/);
    assert.equal(server.state.requests[0]!.headers.authorization, `Bearer ${KEY}`); // It was sent, just never repeated.
  });

  it('aborts calls in flight on close(), and refuses calls after it', async () => {
    server.handle(() => {}); // Never answers.
    const model = llm();
    const outcome = model.chat(ask).then(
      () => assert.fail('expected a rejection'),
      (error: unknown) => error,
    );
    const closed = server.clientClosedConnection();
    while (server.state.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await model.close();
    assert.deepEqual(describeError(await outcome), { code: 'SLUICE_LLM_ABORTED', message: 'LLM `gpt-4o-mini` was closed; call 1 did not finish' });
    await closed;
    await assert.rejects(model.chat(ask), { code: 'SLUICE_LLM_ABORTED' });
  });

  it('throws SLUICE_LLM_NOT_CONFIGURED, pointing at the env vars and --llm simulated, when no base URL or key can be found', () => {
    const saved = { url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    delete process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_API_KEY;
    try {
      assert.throws(
        () => createLlm({ model: 'gpt-4o-mini' }),
        (error: unknown) => {
          assert.ok(error instanceof LlmNotConfiguredError);
          assert.equal(error.code, 'SLUICE_LLM_NOT_CONFIGURED');
          assert.match(error.message, /OPENAI_BASE_URL/);
          assert.match(error.message, /OPENAI_API_KEY/);
          assert.match(error.message, /--llm simulated/);
          return true;
        },
      );
    } finally {
      if (saved.url !== undefined) process.env.OPENAI_BASE_URL = saved.url;
      if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
    }
  });

  it('works without a key when a base URL is set (local servers)', async () => {
    server.handle((_req, res) => reply(res, 200, completion()));
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const local = createLlm({ baseURL: server.url, model: 'qwen3-8b' });
      llms.push(local);
      await local.chat(ask);
      assert.equal(local.name, 'qwen3-8b');
      assert.equal(local.usage.snapshot().priced, false);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('says what it expected when an option is out of range', () => {
    assert.throws(() => createLlm({ baseURL: server.url, model: 'm', concurrency: 0 }), {
      code: 'SLUICE_CONFIG',
      message: 'Expected `concurrency` to be an integer from 1 and up or `Infinity`, got `0`',
    });
    assert.throws(() => createLlm({ baseURL: server.url, model: 'm', rpm: -1 }), {
      code: 'SLUICE_CONFIG',
      message: 'Expected `rpm` to be a number above 0 or `Infinity`, got `-1`',
    });
    assert.throws(() => createLlm({ baseURL: server.url, model: 'm', timeoutMs: 0 }), {
      code: 'SLUICE_CONFIG',
      message: 'Expected `timeoutMs` to be a number above 0 or `Infinity`, got `0`',
    });
    assert.throws(() => createLlm({ baseURL: server.url, model: '' }), { code: 'SLUICE_CONFIG', message: 'Expected `model` to be a non-empty string, got ``' });
  });

  it('works the same over undici fetch as over the request-based fetch', async () => {
    server.handle((_req, res, _seen, index) => {
      if (index === 0) reply(res, 500, { error: { message: 'hiccup' } });
      else reply(res, 200, completion(), { 'x-request-id': 'req_f' });
    });
    const model = llm({ transport: 'undici-fetch' });
    const result = await model.chat(ask);
    assert.deepEqual({ attempts: result.attempts, requestId: result.requestId }, { attempts: 2, requestId: 'req_f' });
  });
});
