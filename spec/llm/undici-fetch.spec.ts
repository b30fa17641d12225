import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { createUndiciFetch } from '../../lib/llm/undici-fetch.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A loopback server whose handler each test sets. */
async function startServer(): Promise<{ server: Server; url: string; handle: (handler: Handler) => void }> {
  let handler: Handler = (_req, res) => res.end();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle: (h) => {
      handler = h;
    },
  };
}

describe('createUndiciFetch', () => {
  let server: Server;
  let url: string;
  let handle: (handler: Handler) => void;
  const agent = new Agent({ connections: 8, pipelining: 1 });
  const fetch = createUndiciFetch(agent);

  before(async () => {
    ({ server, url, handle } = await startServer());
  });
  after(async () => {
    await agent.close();
    server.closeAllConnections();
    server.close();
  });

  it('sends the method, path, query, headers and a string body, and returns status, headers and text', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handle((req, res, body) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(201, 'Made', [
        ['content-type', 'application/json'],
        ['x-request-id', 'req_1'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      res.end('{"ok":true}');
    });
    const response = await fetch(`${url}/v1/things?x=1&y=2`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }),
      body: '{"a":1}',
    });
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/v1/things?x=1&y=2');
    assert.equal(seen.headers?.authorization, 'Bearer k');
    assert.equal(seen.headers?.['content-type'], 'application/json');
    assert.equal(seen.body, '{"a":1}');
    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    assert.equal(response.ok, true);
    assert.equal(response.url, `${url}/v1/things?x=1&y=2`);
    assert.equal(response.headers.get('x-request-id'), 'req_1');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.deepEqual(await response.json(), { ok: true });
  });

  it('accepts headers as a record or as pairs, and a Uint8Array body', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    handle((req, res, body) => {
      seen.push({ headers: req.headers, body });
      res.end('done');
    });
    await (await fetch(`${url}/a`, { method: 'PUT', headers: { 'x-one': '1' }, body: new TextEncoder().encode('bytes') })).text();
    await (await fetch(new URL(`${url}/b`), { headers: [['x-two', '2']] })).text();
    assert.equal(seen[0]!.headers['x-one'], '1');
    assert.equal(seen[0]!.body, 'bytes');
    assert.equal(seen[1]!.headers['x-two'], '2');
    assert.equal(seen[1]!.body, '');
  });

  it('reports an error status as not ok, with its body readable', async () => {
    handle((_req, res) => {
      res.writeHead(503, { 'retry-after': '3' });
      res.end('busy');
    });
    const response = await fetch(`${url}/busy`);
    assert.equal(response.ok, false);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '3');
    assert.equal(await response.text(), 'busy');
  });

  it('gives a 204 a null body', async () => {
    handle((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await fetch(`${url}/empty`, { method: 'DELETE' });
    assert.equal(response.status, 204);
    assert.equal(response.body, null);
  });

  it('decodes a gzip-encoded answer', async () => {
    handle((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync('squeezed'));
    });
    assert.equal(await (await fetch(`${url}/gz`)).text(), 'squeezed');
  });

  it('streams the body: the first chunk is readable before the server sends the second', async () => {
    let sendRest: () => void = () => {};
    handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      sendRest = () => res.end('data: two\n\n');
    });
    const response = await fetch(`${url}/sse`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    assert.equal(decoder.decode((await reader.read()).value), 'data: one\n\n');
    sendRest();
    assert.equal(decoder.decode((await reader.read()).value), 'data: two\n\n');
    assert.equal((await reader.read()).done, true);
  });

  it('rejects with the abort reason and closes the connection when aborted before the answer', async () => {
    let closed!: Promise<unknown>;
    handle((req) => {
      closed = once(req.socket, 'close');
      controller.abort();
    });
    const controller = new AbortController();
    await assert.rejects(fetch(`${url}/hang`, { signal: controller.signal }), { name: 'AbortError' });
    await closed;
  });

  it('errors the body and closes the connection when aborted while the body streams', async () => {
    let closed!: Promise<unknown>;
    handle((req, res) => {
      closed = once(req.socket, 'close');
      res.writeHead(200);
      res.write('partial');
    });
    const controller = new AbortController();
    const response = await fetch(`${url}/partial`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await assert.rejects(reader.read(), { name: 'AbortError' });
    await closed;
  });

  it('rejects an already aborted signal without sending anything', async () => {
    let requests = 0;
    handle((_req, res) => {
      requests++;
      res.end();
    });
    await assert.rejects(fetch(`${url}/never`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal(requests, 0);
  });

  it('rejects with TypeError "fetch failed" and the network error as cause when nothing listens', async () => {
    const closedServer = createServer();
    closedServer.listen(0, '127.0.0.1');
    await once(closedServer, 'listening');
    const port = (closedServer.address() as AddressInfo).port;
    closedServer.close();
    await once(closedServer, 'close');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
      return true;
    });
  });

  it('sends a global FormData body as multipart, with its boundary in the content type', async () => {
    let contentType = '';
    let body = '';
    handle((req, res, text) => {
      contentType = req.headers['content-type'] ?? '';
      body = text;
      res.end('ok');
    });
    const form = new FormData();
    form.set('field', 'value');
    assert.equal(await (await fetch(`${url}/upload`, { method: 'POST', body: form })).text(), 'ok');
    assert.match(contentType, /^multipart\/form-data; boundary=/);
    assert.match(body, /name="field"\r\n\r\nvalue/);
  });

  it('takes a Request as input: its method, headers and body', async () => {
    let seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {};
    handle((req, res, body) => {
      seen = { method: req.method, headers: req.headers, body };
      res.end('ok');
    });
    const request = new Request(`${url}/req`, { method: 'PATCH', headers: { 'x-from': 'request' }, body: 'payload' });
    assert.equal(await (await fetch(request)).text(), 'ok');
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.headers?.['x-from'], 'request');
    assert.equal(seen.body, 'payload');
  });

  it('returns a redirect as it is, and rejects it with redirect: "error"', async () => {
    handle((_req, res) => {
      res.writeHead(307, { location: '/elsewhere' });
      res.end();
    });
    const response = await fetch(`${url}/moved`);
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), '/elsewhere');
    await response.text();
    await assert.rejects(fetch(`${url}/moved`, { redirect: 'error' }), { name: 'TypeError', message: 'fetch failed' });
  });

  it('serves the openai SDK: a chat completion, its request id, and a streamed completion', async () => {
    handle((req, res, body) => {
      const request = JSON.parse(body) as { stream?: boolean };
      if (request.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of ['Hel', 'lo']) {
          res.write(
            `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
          );
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      assert.equal(req.headers.authorization, 'Bearer sk-test');
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_sdk' });
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        }),
      );
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0, fetch, fetchOptions: { dispatcher: agent } as object });
    const { data, request_id } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    assert.equal(data.choices[0]!.message.content, 'Hi');
    assert.equal(request_id, 'req_sdk');
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Hello');
  });

  it('lets the SDK raise its typed status errors', async () => {
    handle((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { message: 'Slow down', type: 'rate_limit', code: 'rate_limit_exceeded' } }));
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0, fetch, fetchOptions: { dispatcher: agent } as object });
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: [] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.equal(error.headers?.get('retry-after'), '1');
      return true;
    });
  });
});
