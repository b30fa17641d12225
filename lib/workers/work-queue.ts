/**
 * Where a run with workers keeps its work in Redis, for the coordinator and the workers alike:
 * one stream of tasks per segment of steps the workers run, read by the consumer group `workers`;
 * one stream of results per coordinator; and the version of the pipeline that the queue serves,
 * which a worker must match before it takes anything.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import { withoutPassword } from '../core/without-password.ts';

/** The consumer group every worker of a queue reads tasks in. */
export const WORKER_GROUP = 'workers';

/** How long the queue's version outlives its coordinator's last renewal; renewed every third of it. */
export const VERSION_TTL_MS = 15_000;

/** How long a coordinator's results stream outlives its last renewal (a stalled coordinator must not lose results). */
export const RESULTS_TTL_MS = 600_000;

export interface WorkQueue {
  /** The server's URL (a password in it goes to Redis only). */
  readonly server: string;
  readonly name: string;
  /** The stream of tasks of segment `k`. */
  tasks(segment: number): string;
  /** The stream a coordinator reads its results on. */
  results(session: string): string;
  /** The key holding the version of the pipeline this queue serves. */
  readonly version: string;
  /** A stream on this server, as `redisStream` and `toRedisStream` name one. */
  streamUrl(stream: string, query?: Record<string, string>): string;
}

/** The work queue `name` on the Redis server at `server` (`redis://[:password@]host:port[/db]`). */
export function workQueue(server: string, name: string): WorkQueue {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new SluiceConfigError(`\`${withoutPassword(server)}\` is not a Redis URL: write redis://[:password@]host:port[/db]`);
  }
  if (!/^rediss?:$/.test(url.protocol)) {
    throw new SluiceConfigError(`\`${withoutPassword(server)}\` is not a Redis URL: write redis://[:password@]host:port[/db]`);
  }
  if (name === '' || /[\s/]/.test(name)) throw new SluiceConfigError(`The queue name \`${name}\` must be non-empty, without spaces or \`/\``);
  const db = url.pathname.replace(/^\//, '');
  const prefix = `sluice:work:${name}`;
  return {
    server,
    name,
    tasks: (segment) => `${prefix}:tasks:${segment}`,
    results: (session) => `${prefix}:results:${session}`,
    version: `${prefix}:version`,
    streamUrl(stream, query = {}) {
      const at = new URL(url.href);
      at.pathname = `/${encodeURIComponent(stream)}`;
      at.search = new URLSearchParams({ ...(db ? { db } : {}), ...query }).toString();
      return at.href;
    },
  };
}
