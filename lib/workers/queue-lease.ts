/**
 * A coordinator's hold on its work queue: one run per queue at a time. The holder renews it every
 * third of `VERSION_TTL_MS`; a run that finds it held by a coordinator that died (it stops being
 * renewed) waits for it to lapse, then takes the queue over: it drops the tasks the dead one left
 * (a resume sends again whatever it needs) and its results, so that no worker spends a request on
 * them. A hold that is still being renewed belongs to a live run, and the new one is refused.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { connectRedis, type RedisClient } from '../broker/connect-redis.ts';
import { SluiceConfigError } from '../core/errors.ts';
import { VERSION_TTL_MS, type WorkQueue } from './work-queue.ts';

export interface QueueLeaseOptions {
  readonly queue: WorkQueue;
  readonly version: string;
  /** How many segments the run has: their task and result streams. */
  readonly segments: number;
  /** Told once while waiting for a dead run's hold to lapse. */
  readonly onWait?: (message: string) => void;
}

export class QueueLease {
  /** This run's id: its results streams are named after it. */
  readonly session = randomUUID().slice(0, 12);
  readonly #options: QueueLeaseOptions;
  #held: Promise<RedisClient> | undefined;
  #users = 0;
  #renew: ReturnType<typeof setInterval> | undefined;

  constructor(options: QueueLeaseOptions) {
    this.#options = options;
  }

  get #owner(): string {
    return `${this.#options.queue.version}:owner`;
  }

  /** Takes the queue (once for all segments of the run) and resolves with a connection to use. */
  acquire(): Promise<RedisClient> {
    this.#users++;
    this.#held ??= this.#take();
    return this.#held;
  }

  async #take(): Promise<RedisClient> {
    const { queue, version, segments } = this.#options;
    const client = await connectRedis(queue.server, 'the workers’ Redis');
    let seen: { owner: string; ttl: number } | undefined;
    for (;;) {
      if ((await client.set(this.#owner, this.session, { NX: true, PX: VERSION_TTL_MS })) !== null) break;
      const [owner, ttl] = await Promise.all([client.get(this.#owner), client.pTTL(this.#owner)]);
      if (owner === null) continue;
      // Renewed since we last looked (or another run took it): a live run holds the queue.
      if (seen && (owner !== seen.owner || ttl > seen.ttl + 250)) {
        await client.close().catch(() => {});
        throw new SluiceConfigError(
          `Another run is using the work queue \`${queue.name}\`. Wait for it to finish, or give this run and its workers their own queue with --queue <name>.`,
        );
      }
      if (!seen) {
        this.#options.onWait?.(
          `the work queue \`${queue.name}\` is held by a run that did not end (a coordinator killed, or still running); waiting up to ${Math.ceil(VERSION_TTL_MS / 1000)} s to see which`,
        );
      }
      seen = { owner, ttl };
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(100, ttl))));
      // A dead run's leftovers: its tasks would cost requests nobody reads, its results nobody takes.
      if (seen && (await client.exists(this.#owner)) === 0) await this.#clearAfter(client, seen.owner);
    }
    await client.set(queue.version, version, { PX: VERSION_TTL_MS });
    for (let k = 0; k < segments; k++) await client.xTrim(queue.tasks(k), 'MAXLEN', 0);
    this.#renew = setInterval(() => {
      void client
        .multi()
        .set(this.#owner, this.session, { PX: VERSION_TTL_MS })
        .set(queue.version, version, { PX: VERSION_TTL_MS })
        .exec()
        .catch(() => {});
    }, VERSION_TTL_MS / 3);
    this.#renew.unref();
    return client;
  }

  async #clearAfter(client: RedisClient, session: string): Promise<void> {
    const { queue, segments } = this.#options;
    for (let k = 0; k < segments; k++) await client.del(queue.results(`${session}:${k}`));
  }

  /** Lets the queue go once every segment is done with it. */
  async release(): Promise<void> {
    if (--this.#users > 0 || !this.#held) return;
    clearInterval(this.#renew);
    const held = this.#held;
    this.#held = undefined;
    const client = await held.catch(() => undefined);
    if (!client) return;
    try {
      if ((await client.get(this.#owner)) === this.session) await client.del([this.#owner, this.#options.queue.version]);
    } catch {
      // Redis is gone: the hold lapses by itself.
    } finally {
      await client.close().catch(() => {});
    }
  }
}
