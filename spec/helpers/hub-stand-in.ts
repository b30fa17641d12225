/**
 * A loopback stand-in for the Hugging Face Hub's HTTP API: the endpoints `@huggingface/hub` calls
 * to list a dataset's files, download them (with byte ranges), create a repository, create a
 * branch and commit files, including the large-file (LFS) path: preupload, the LFS batch call,
 * the basic upload and the multipart upload with its completion call. Repositories live in memory.
 * Writes, and reads of private repositories, need `Authorization: Bearer <token>`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredFile {
  content: Buffer;
  /** The LFS object id (SHA-256) when the file went through the large-file path. */
  lfs?: string;
}

interface Repo {
  id: string;
  private: boolean;
  branches: Map<string, Map<string, StoredFile>>;
  commits: number;
}

export interface HubRequest {
  method: string;
  path: string;
  authorized: boolean;
}

export interface HubStandInOptions {
  /** The token writes need (a Hub token starts with `hf_`). */
  token: string;
  /** Tree listing page size (the Hub pages with a `Link: <…>; rel="next"` header). */
  pageSize?: number;
  /** Files from this size up are uploaded in parts (the multipart LFS path). */
  multipartFrom?: number;
}

export interface HubStandIn {
  readonly url: string;
  /** Every request, in order (no bodies, no headers: the token must be findable nowhere else). */
  readonly requests: HubRequest[];
  /** Puts files in a dataset repository at a revision, making both as needed. */
  seed(id: string, files: Record<string, Buffer | string>, options?: { revision?: string; private?: boolean }): void;
  /** A file's bytes, or undefined. */
  file(id: string, path: string, revision?: string): Buffer | undefined;
  /** The paths at a revision. */
  paths(id: string, revision?: string): string[];
  repo(id: string): { private: boolean; commits: number } | undefined;
  /** LFS objects uploaded (by SHA-256). */
  readonly lfsObjects: Map<string, Buffer>;
  close(): Promise<void>;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const gitOid = (data: Buffer) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

function fail(response: ServerResponse, status: number, message: string, code?: string): void {
  send(response, status, { error: message }, code ? { 'x-error-code': code } : {});
}

export async function startHubStandIn(options: HubStandInOptions): Promise<HubStandIn> {
  const repos = new Map<string, Repo>();
  const lfsObjects = new Map<string, Buffer>();
  const multipart = new Map<string, Map<number, Buffer>>();
  const requests: HubRequest[] = [];
  const pageSize = options.pageSize ?? 1000;
  const multipartFrom = options.multipartFrom ?? Number.POSITIVE_INFINITY;
  let base = '';

  const makeRepo = (id: string, isPrivate: boolean): Repo => {
    const repo: Repo = { id, private: isPrivate, branches: new Map([['main', new Map()]]), commits: 0 };
    repos.set(id, repo);
    return repo;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base);
    const authorized = request.headers.authorization === `Bearer ${options.token}`;
    requests.push({ method: request.method ?? 'GET', path: url.pathname, authorized });
    const method = request.method ?? 'GET';
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    // The LFS storage URLs the batch call hands out (pre-signed: no token).
    if (segments[0] === 'lfs-storage') {
      const oid = segments[1] ?? '';
      const data = await body(request);
      if (method === 'PUT' && segments.length === 2) {
        if (sha256(data) !== oid) return fail(response, 400, 'content does not match its oid');
        lfsObjects.set(oid, data);
        response.writeHead(200).end();
        return;
      }
      if (method === 'PUT' && segments.length === 3) {
        const parts = multipart.get(oid) ?? new Map<number, Buffer>();
        multipart.set(oid, parts);
        parts.set(Number(segments[2]), data);
        response.writeHead(200, { etag: `"${sha256(data).slice(0, 16)}"` }).end();
        return;
      }
      if (method === 'POST' && segments[2] === 'complete') {
        const completion = JSON.parse(data.toString()) as { oid: string; parts: { partNumber: number; etag: string }[] };
        const parts = multipart.get(oid);
        if (!parts || completion.parts.some((part) => !part.etag)) return fail(response, 400, 'missing parts');
        const whole = Buffer.concat(completion.parts.sort((a, b) => a.partNumber - b.partNumber).map((part) => parts.get(part.partNumber) ?? Buffer.alloc(0)));
        if (sha256(whole) !== oid) return fail(response, 400, 'assembled content does not match its oid');
        lfsObjects.set(oid, whole);
        multipart.delete(oid);
        return send(response, 200, {});
      }
      return fail(response, 404, 'no such storage call');
    }

    if (method === 'POST' && url.pathname === '/api/repos/create') {
      if (!authorized) return fail(response, 401, 'Invalid credentials in Authorization header');
      const request_ = JSON.parse((await body(request)).toString()) as {
        name: string;
        organization: string;
        type: string;
        visibility?: string;
        private?: boolean;
      };
      if (request_.type !== 'dataset') return fail(response, 400, 'the stand-in keeps dataset repositories only');
      const id = `${request_.organization}/${request_.name}`;
      if (repos.has(id)) return fail(response, 409, 'You already created this dataset repo');
      makeRepo(id, request_.visibility === 'private' || request_.private === true);
      return send(response, 200, { url: `${base}/datasets/${id}`, id });
    }

    // /api/datasets/<owner>/<name>[/<action>/<rev>[/<path>]] and /datasets/<owner>/<name>/resolve/<rev>/<path>
    const api = segments[0] === 'api';
    const at = api ? 1 : 0;
    if (segments[at] !== 'datasets' || segments.length < at + 3) return fail(response, 404, 'not an endpoint the stand-in serves');
    const owner = segments[at + 1];
    let name = segments[at + 2] ?? '';
    const lfsBatch = name.endsWith('.git') && segments[at + 3] === 'info';
    if (lfsBatch) name = name.slice(0, -'.git'.length);
    const id = `${owner}/${name}`;
    const repo = repos.get(id);
    if (!repo || (repo.private && !authorized)) return fail(response, 404, 'Repository not found', 'RepoNotFound');
    const action = segments[at + 3];
    const revision = segments[at + 4] ?? 'main';
    const rest = segments.slice(at + 5).join('/');

    if (lfsBatch) {
      if (!authorized) return fail(response, 401, 'Invalid credentials');
      const batch = JSON.parse((await body(request)).toString()) as { operation: string; objects: { oid: string; size: number }[] };
      const objects = batch.objects.map(({ oid, size }) => {
        if (lfsObjects.has(oid)) return { oid, size };
        if (size < multipartFrom) return { oid, size, actions: { upload: { href: `${base}/lfs-storage/${oid}` } } };
        const chunk = Math.ceil(multipartFrom / 2);
        const header: Record<string, string> = { chunk_size: String(chunk) };
        for (let part = 1; part <= Math.ceil(size / chunk); part++) header[String(part)] = `${base}/lfs-storage/${oid}/${part}`;
        return { oid, size, actions: { upload: { href: `${base}/lfs-storage/${oid}/complete`, header } } };
      });
      return send(response, 200, { transfer: 'basic', objects }, { 'content-type': 'application/vnd.git-lfs+json' });
    }

    if (api && segments.length === 3) return send(response, 200, { id, private: repo.private });

    const files = repo.branches.get(revision);
    if (action === 'branch' && method === 'POST') {
      if (!authorized) return fail(response, 401, 'Invalid credentials');
      if (files) return fail(response, 409, 'Reference already exists');
      repo.branches.set(revision, new Map(repo.branches.get('main')));
      return send(response, 200, {});
    }
    if (!files) return fail(response, 404, `Invalid rev id: ${revision}`, 'RevisionNotFound');

    if (api && action === 'tree' && method === 'GET') {
      const prefix = rest === '' ? '' : `${rest}/`;
      const recursive = url.searchParams.get('recursive') === 'true';
      const entries = new Map<string, { type: string; path: string; size: number; oid: string; lfs?: object }>();
      for (const [path, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
        if (!path.startsWith(prefix)) continue;
        const inside = path.slice(prefix.length).split('/');
        for (let depth = 1; depth < inside.length && (recursive || depth === 1); depth++) {
          const folder = prefix + inside.slice(0, depth).join('/');
          if (!entries.has(folder)) entries.set(folder, { type: 'directory', path: folder, size: 0, oid: gitOid(Buffer.from(folder)) });
        }
        if (!recursive && inside.length > 1) continue;
        entries.set(path, {
          type: 'file',
          path,
          size: file.content.length,
          oid: gitOid(file.content),
          ...(file.lfs ? { lfs: { oid: file.lfs, size: file.content.length, pointerSize: 130 } } : {}),
        });
      }
      const all = [...entries.values()];
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = all.slice(cursor, cursor + pageSize);
      const next = new URL(url);
      next.searchParams.set('cursor', String(cursor + pageSize));
      return send(response, 200, page, cursor + pageSize < all.length ? { link: `<${next.href}>; rel="next"` } : {});
    }

    if (!api && action === 'resolve' && (method === 'GET' || method === 'HEAD')) {
      const file = files.get(rest);
      if (!file) return fail(response, 404, 'Entry not found', 'EntryNotFound');
      const etag = `"${file.lfs ?? gitOid(file.content)}"`;
      const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      if (!range) {
        response.writeHead(200, { 'content-length': String(file.content.length), etag, 'accept-ranges': 'bytes' });
        response.end(method === 'HEAD' ? undefined : file.content);
        return;
      }
      const start = Number(range[1]);
      const end = Math.min(range[2] === '' ? file.content.length - 1 : Number(range[2]), file.content.length - 1);
      response.writeHead(206, {
        'content-range': `bytes ${start}-${end}/${file.content.length}`,
        'content-length': String(end - start + 1),
        etag,
        'accept-ranges': 'bytes',
      });
      response.end(method === 'HEAD' ? undefined : file.content.subarray(start, end + 1));
      return;
    }

    if (api && action === 'preupload' && method === 'POST') {
      if (!authorized) return fail(response, 401, 'Invalid credentials');
      const { files: asked } = JSON.parse((await body(request)).toString()) as { files: { path: string; size: number; sample: string }[] };
      return send(response, 200, {
        files: asked.map(({ path, size, sample }) => ({
          path,
          // As the Hub decides: binary content, a big file, or an extension kept in LFS.
          uploadMode: /\.(parquet|arrow|bin)$/.test(path) || size > 10_000_000 || Buffer.from(sample, 'base64').includes(0) ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
      });
    }

    if (api && action === 'commit' && method === 'POST') {
      if (!authorized) return fail(response, 401, 'Invalid credentials');
      const lines = (await body(request))
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { key: string; value: Record<string, unknown> });
      const next = new Map(files);
      for (const { key, value } of lines) {
        const path = String(value.path);
        if (key === 'file') next.set(path, { content: Buffer.from(String(value.content), value.encoding === 'base64' ? 'base64' : 'utf8') });
        else if (key === 'lfsFile') {
          const content = lfsObjects.get(String(value.oid));
          if (!content) return fail(response, 422, `LFS object ${String(value.oid)} was never uploaded`);
          next.set(path, { content, lfs: String(value.oid) });
        } else if (key === 'deletedFile') next.delete(path);
        else if (key === 'deletedFolder') for (const other of [...next.keys()]) if (other.startsWith(`${path}/`)) next.delete(other);
      }
      repo.branches.set(revision, next);
      repo.commits++;
      const oid = createHash('sha1').update(`${id}@${repo.commits}`).digest('hex');
      return send(response, 200, { commitOid: oid, commitUrl: `${base}/datasets/${id}/commit/${oid}` });
    }
    return fail(response, 404, 'not an endpoint the stand-in serves');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => fail(response, 500, error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    lfsObjects,
    seed(id, seeded, { revision = 'main', private: isPrivate = false } = {}) {
      const repo = repos.get(id) ?? makeRepo(id, isPrivate);
      const files = repo.branches.get(revision) ?? new Map<string, StoredFile>();
      repo.branches.set(revision, files);
      for (const [path, content] of Object.entries(seeded)) files.set(path, { content: Buffer.from(content) });
    },
    file: (id, path, revision = 'main') => repos.get(id)?.branches.get(revision)?.get(path)?.content,
    paths: (id, revision = 'main') => [...(repos.get(id)?.branches.get(revision)?.keys() ?? [])].sort(),
    repo: (id) => {
      const repo = repos.get(id);
      return repo ? { private: repo.private, commits: repo.commits } : undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
