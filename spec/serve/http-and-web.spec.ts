import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { map } from '../../lib/operators/map.ts';
import { toHttpHandler } from '../../lib/serve/to-http-handler.ts';
import { toWebTransform } from '../../lib/serve/to-web-transform.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { waitFor } from '../helpers/wait-for.ts';

const upper = pipeline('upper').pipe(map((row: Row) => ({ ...row, text: String(row.text).toUpperCase() })));

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));
}

describe('web and HTTP adapters', () => {
  it('toWebTransform pipes NDJSON through a web stream pair', async () => {
    const input = ReadableStream.from([new TextEncoder().encode('{"text":"a"}\n{"text":"b"}\n')]);
    const output = input.pipeThrough(toWebTransform(upper, { ndjson: true, failed: failedCollector(), cache: false }));
    let text = '';
    for await (const chunk of output) text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk as Uint8Array);
    assert.equal(text, '{"text":"A"}\n{"text":"B"}\n');
  });

  it('toHttpHandler streams NDJSON in and out', async () => {
    const server = createServer(toHttpHandler(upper, { failed: failedCollector(), cache: false }));
    const url = await listen(server);
    try {
      const body = Array.from({ length: 500 }, (_, i) => JSON.stringify({ text: `row ${i}` })).join('\n');
      const response = await request(url, { method: 'POST', body });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'application/x-ndjson');
      const rows = (await response.body.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { text: string });
      assert.equal(rows.length, 501);
      assert.deepEqual(rows[499], { text: 'ROW 499' });
      assert.deepEqual(rows[500], { _sluice_end: { rows: 500, failed: [] } });
    } finally {
      server.close();
    }
  });

  it('toHttpHandler tells each of 200 concurrent clients which of its rows failed, and writes nothing to ./failed.jsonl', async () => {
    const { existsSync } = await import('node:fs');
    const picky = pipeline('picky').pipe(
      map((row: Row) => {
        if (row.bad) throw new Error(`no ${String(row.text)}`);
        return row;
      }),
    );
    const before = existsSync('failed.jsonl');
    const server = createServer(toHttpHandler(picky, { cache: false }));
    const url = await listen(server);
    try {
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all(
          Array.from({ length: 200 }, async (_, client) => {
            const body = [{ text: `c${client}-a` }, { text: `c${client}-b`, bad: true }, { text: `c${client}-c` }].map((r) => JSON.stringify(r)).join('\n');
            const response = await request(url, { method: 'POST', body });
            const lines = (await response.body.text())
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Record<string, unknown>);
            return { client, lines };
          }),
        );
        for (const { client, lines } of answers) {
          const end = lines.at(-1)!._sluice_end as { rows: number; failed: { id: string; line: number; step: string; error: { message: string } }[] };
          assert.equal(end.rows, 2);
          assert.equal(end.failed.length, 1);
          assert.equal(end.failed[0]!.line, 2);
          assert.equal(end.failed[0]!.error.message, `no c${client}-b`);
          assert.match(end.failed[0]!.id, /^request-[0-9a-f]{8}:2$/);
        }
        assert.equal(
          new Set(answers.map(({ lines }) => (lines.at(-1)!._sluice_end as { failed: { id: string }[] }).failed[0]!.id)).size,
          200,
          'every request has ids of its own',
        );
      }
      assert.equal(existsSync('failed.jsonl'), before, 'no shared failed.jsonl was written');
    } finally {
      server.close();
    }
  });

  it('toHttpHandler stops the work when the client goes away: the LLM server sees its requests closed', async () => {
    const sim = await startSimulator({ latencyMs: 10_000 });
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 4 });
    const slow = pipeline('slow').pipe(generate({ llm, prompt: 'Row {{ i }}', concurrency: 4 }));
    const server = createServer(toHttpHandler(slow, { failed: failedCollector(), cache: false }));
    const url = await listen(server);
    try {
      const controller = new AbortController();
      const body = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i })).join('\n');
      const pending = request(url, { method: 'POST', body, signal: controller.signal })
        .then((r) => r.body.text())
        .catch(() => 'aborted');
      await waitFor(() => sim.stats().inFlight >= 4);
      assert.equal(sim.stats().inFlight, 4);
      controller.abort();
      assert.equal(await pending, 'aborted');
      await waitFor(() => sim.stats().clientClosedInFlight >= 4);
      assert.equal(sim.stats().clientClosedInFlight, 4);
      assert.equal(sim.stats().requests, 4, 'no new request after the client left');
    } finally {
      server.closeAllConnections();
      server.close();
      await llm.close();
      await sim.close();
    }
  });
});
