/**
 * `sluice view`: a web page over a run directory, served on 127.0.0.1 only, behind a random token
 * in the URL it prints. Nothing is fetched from elsewhere, and no row leaves the machine. The page
 * reads the run's record, pages through each output and the failed rows by byte offset, and
 * follows a running run through server-sent events (live row counts from the files' growth).
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { keptSteps } from '../core/kept-steps.ts';
import { formatOf } from '../formats/format-of.ts';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { LineCounter, readLinePage } from './line-pages.ts';
import { RowStories } from './row-story.ts';
import { VIEWER_PAGE } from './viewer-page.ts';

export interface ViewerOptions {
  /** The run directory to show. */
  runDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** How often live counts are checked, in ms. Default 500. */
  pollMs?: number;
}

export interface Viewer {
  /** The page's URL, with its token. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface RunRecord {
  pipeline?: string;
  cwd?: string;
  outputs?: Record<string, string>;
  failedPath?: string;
  [key: string]: unknown;
}

const MAX_PAGE = 500;

/** An output the page can show a line at a time: NDJSON, not compressed (a Parquet or CSV file is read with its own tools). */
function isLineFile(path: string): boolean {
  try {
    return formatOf(path) === 'ndjson' && !/\.(gz|zst)$/i.test(path);
  } catch {
    return true; // A name no format claims: written as NDJSON with `--format`, or by the user's own sink.
  }
}

const require = createRequire(import.meta.url);
/** uPlot (a small, well-kept time-series chart library), served from Sluice's own node_modules. */
const ASSETS: Readonly<Record<string, { path: string; type: string }>> = {
  '/assets/uplot.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uplot.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export async function startViewer({ runDir, port = 0, pollMs = 500 }: ViewerOptions): Promise<Viewer> {
  const token = randomBytes(18).toString('base64url');
  const recordPath = join(runDir, 'run.json');
  const readRecord = async (): Promise<RunRecord> => JSON.parse(await readFile(recordPath, 'utf8')) as RunRecord;
  // Output paths are as the run named them, relative to the folder it ran in.
  const located = (record: RunRecord, path: string) => (isAbsolute(path) ? path : resolve(record.cwd ?? process.cwd(), path));
  const files = (record: RunRecord): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, path] of Object.entries(record.outputs ?? {})) if (!path.endsWith('/') && isLineFile(path)) out[name] = located(record, path);
    if (record.failedPath) out['failed rows'] = located(record, record.failedPath);
    return out;
  };
  const counters = new Map<string, LineCounter>();
  const counterFor = (path: string) => {
    let counter = counters.get(path);
    if (!counter) counters.set(path, (counter = new LineCounter(path)));
    return counter;
  };
  const counts = async (record: RunRecord) => {
    const result: Record<string, number> = {};
    for (const [name, path] of Object.entries(files(record))) result[name] = await counterFor(path).count();
    return result;
  };
  const stories = new RowStories(runDir, counterFor);
  /** What the event streams carry: each file's row count and the run's status, from one read of its record. */
  const liveUpdate = async () => {
    const record = await readRecord();
    return JSON.stringify({ counts: await counts(record), status: record.status ?? null });
  };
  const streams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The chart library, from Sluice's own dependencies: no data, so no token.
    const asset = ASSETS[url.pathname];
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' });
      res.end(await readFile(asset.path));
      return;
    }
    if (!authorized(url.searchParams.get('token') ?? '')) return send(res, 403, { error: 'This page needs the token in the URL that `sluice view` printed.' });
    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // Nothing from elsewhere, and no script but the page's own (its nonce): a row cannot run one.
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; connect-src 'self'`,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(VIEWER_PAGE.replaceAll('__NONCE__', nonce));
      return;
    }
    if (url.pathname === '/api/run') {
      const kept = keptSteps.names(runDir);
      const record = await readRecord();
      return send(res, 200, { runDir, record, files: Object.keys(files(record)), counts: await counts(record), kept });
    }
    if (url.pathname === '/api/rows') {
      const name = url.searchParams.get('file') ?? '';
      const path = files(await readRecord())[name];
      if (!path) return send(res, 404, { error: `The run has no output named \`${name}\`.` });
      return send(res, 200, await page(path, url));
    }
    if (url.pathname === '/api/story') {
      const record = await readRecord();
      const path = files(record)[url.searchParams.get('file') ?? ''];
      const offset = Number(url.searchParams.get('offset') ?? -1);
      if (!path || !(offset >= 0)) return send(res, 400, { error: 'Give `file` (an output) and `offset` (a row’s).' });
      const inputs = ((record.fingerprint as { inputs?: Array<{ path: string }> } | undefined)?.inputs ?? []).map((i) => ({ path: located(record, i.path) }));
      const story = await stories.of(path, offset, inputs, record.failedPath ? located(record, record.failedPath) : undefined);
      return story ? send(res, 200, story) : send(res, 404, { error: 'No lineage was kept for this row (runs record it with --run-dir).' });
    }
    if (url.pathname === '/api/metrics') {
      // A line every two seconds of the run: small enough to send whole.
      const text = await readFile(join(runDir, 'metrics.jsonl'), 'utf8').catch(() => '');
      const lines = text.split('\n').flatMap((line) => {
        try {
          return line.trim() === '' ? [] : [JSON.parse(line) as unknown];
        } catch {
          return [];
        }
      });
      return send(res, 200, { lines });
    }
    if (url.pathname === '/api/kept') {
      const step = url.searchParams.get('step') ?? '';
      const path = keptSteps.path(runDir, step);
      if (step === '' || !existsSync(path)) return send(res, 404, { error: `The run kept no rows of step \`${step}\`.` });
      return send(res, 200, await page(path, url));
    }
    if (url.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      streams.add(res);
      res.on('close', () => streams.delete(res));
      res.write(`data: ${await liveUpdate()}\n\n`);
      return;
    }
    send(res, 404, { error: `No such page: ${url.pathname}` });
  }

  function authorized(given: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  // Live counts for every open event stream: only when something changed.
  let last = '';
  const timer = setInterval(() => {
    if (streams.size === 0) return;
    void (async () => {
      const update = await liveUpdate();
      if (update === last) return;
      last = update;
      for (const stream of streams) stream.write(`data: ${update}\n\n`);
    })().catch(() => {});
  }, pollMs);

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    // Loopback only: the page is never reachable from another machine.
    server.listen(port, '127.0.0.1', () => done());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/?token=${token}`,
    port: bound,
    close: () =>
      new Promise<void>((done) => {
        clearInterval(timer);
        for (const stream of streams) stream.end();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The page of a file's lines that `offset` and `limit` ask for (50 by default, at most 500). */
function page(path: string, url: URL) {
  const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
  return readLinePage(path, offset, limit);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}
