import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { clientFor, simulatorFor } from './simulator-helpers.ts';

const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

function requestLines(count: number, url = '/v1/chat/completions'): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      custom_id: `r${i}`,
      method: 'POST',
      url,
      body:
        url === '/v1/embeddings' ? { model: 'sim-embed', input: `text ${i}` } : { model: 'sim-small', messages: [{ role: 'user', content: `Question ${i}` }] },
    }),
  ).join('\n');
}

async function runBatch(client: OpenAI, lines: string, endpoint: '/v1/chat/completions' | '/v1/embeddings' = '/v1/chat/completions') {
  const file = await client.files.create({ file: await toFile(Buffer.from(lines), 'requests.jsonl'), purpose: 'batch' });
  let batch = await client.batches.create({ input_file_id: file.id, endpoint, completion_window: '24h', metadata: { run: 'spec' } });
  const seen = [batch.status];
  while (!TERMINAL.has(batch.status)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    batch = await client.batches.retrieve(batch.id);
    if (seen.at(-1) !== batch.status) seen.push(batch.status);
  }
  const read = async (id: string | null | undefined) =>
    id
      ? (await (await client.files.content(id)).text())
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
      : [];
  return { batch, seen, output: await read(batch.output_file_id), errors: await read(batch.error_file_id) };
}

describe('startSimulator: the batch API (files and batches)', () => {
  it('answers each request of a batch as the live endpoint does, by custom_id, through the SDK', async (t) => {
    const sim = await simulatorFor(t, { batchMs: 20 });
    const client = clientFor(sim);
    const { batch, seen, output, errors } = await runBatch(client, requestLines(5));
    assert.equal(batch.status, 'completed');
    assert.deepEqual(seen[0], 'validating');
    assert.deepEqual(batch.request_counts, { total: 5, completed: 5, failed: 0 });
    assert.deepEqual(batch.metadata, { run: 'spec' });
    assert.deepEqual(errors, []);
    assert.deepEqual(
      output.map((line) => line.custom_id),
      ['r0', 'r1', 'r2', 'r3', 'r4'],
    );
    const live = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Question 3' }] });
    assert.equal(output[3].response.status_code, 200);
    assert.equal(output[3].response.body.choices[0].message.content, live.choices[0]!.message.content);
    const embedded = await runBatch(client, requestLines(2, '/v1/embeddings'), '/v1/embeddings');
    assert.equal(embedded.output[0].response.body.data.length, 1);
  });

  it('fails requests on their own, fails or expires whole batches, and cancels', async (t) => {
    const sim = await simulatorFor(t, {
      batchMs: 20,
      batchErrorRate: 0.5,
      batchFate: ({ n }) => (n === 2 ? 'fail' : n === 3 ? { expireAfter: 4 } : 'complete'),
    });
    const client = clientFor(sim);
    const first = await runBatch(client, requestLines(40));
    assert.ok(first.errors.length > 5 && first.errors.length < 35, `${first.errors.length} request errors`);
    assert.equal(first.errors.length + first.output.length, 40);
    assert.ok(first.errors.every((line) => line.response.status_code === 500));
    const failed = await runBatch(client, requestLines(3));
    assert.equal(failed.batch.status, 'failed');
    assert.equal(failed.batch.errors?.data?.[0]?.code, 'simulated_failure');
    sim.configure({ batchErrorRate: 0 });
    const expired = await runBatch(client, requestLines(10));
    assert.equal(expired.batch.status, 'expired');
    assert.equal(expired.output.length, 4);
    assert.deepEqual(
      expired.errors.map((line) => line.error.code),
      Array(6).fill('batch_expired'),
    );
    const file = await client.files.create({ file: await toFile(Buffer.from(requestLines(2)), 'r.jsonl'), purpose: 'batch' });
    const pending = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const cancelling = await client.batches.cancel(pending.id);
    assert.equal(cancelling.status, 'cancelling');
    const listed = [];
    for await (const batch of client.batches.list({ limit: 2 })) listed.push(batch.id);
    assert.equal(listed.length, 4);
    assert.equal(listed[0], pending.id, 'newest first');
    assert.equal(sim.log.filter((entry) => entry.method === 'POST' && entry.path === '/v1/batches').length, 4);
  });
});
