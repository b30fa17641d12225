/**
 * A Redis stream as a source, read through a consumer group: copies of a run in one group share
 * the entries; an entry is acknowledged (and deleted, so the stream holds only work in flight)
 * once every row it became is written or recorded as failed; an entry a dead consumer held is
 * claimed after `claimIdleMs`; one delivered more than `maxDeliveries` times goes to a
 * dead-letter stream and becomes a failed row with that reason. While a reader holds entries it
 * renews them (every third of `claimIdleMs`), so only a dead reader's entries are ever claimed,
 * however long a row takes. A read survives a restart of Redis: it waits for the connection to
 * come back and makes the group again if the restart lost it.
 * @module
 */
import { hostname } from 'node:os';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { connectRedis, type RedisClient } from './connect-redis.ts';
import { parseRedisStreamLocation } from './redis-stream-location.ts';

export interface RedisStreamOptions {
  /** The consumer group. Default: the URL's `?group=`, else `sluice`. */
  group?: string;
  /** This reader's name in the group. Default `<host>-<pid>`. */
  consumer?: string;
  /** Entries read per call. Default 100. */
  count?: number;
  /** How long an entry may sit unacknowledged with another consumer before this one claims it. Default 60,000 ms. */
  claimIdleMs?: number;
  /** Deliveries after which an entry is dead-lettered. Default 5. */
  maxDeliveries?: number;
  /** The dead-letter stream. Default `<stream>:dead`. */
  deadLetter?: string;
  /** How long one read waits for new entries. Default 1,000 ms. */
  blockMs?: number;
  /** End the read once a wait brings nothing new and nothing to claim (a job). Default true; false follows the stream. */
  endWhenIdle?: boolean;
  /** Called with each entry taken, before its row goes on (workers keep the fields that say where its result goes). */
  onEntry?: (position: number, id: string, fields: Readonly<Record<string, string>>) => void;
}

/** An entry that could not be finished in `maxDeliveries` deliveries. */
class DeadLetterError extends SluiceError {
  override name = 'DeadLetterError';
  override readonly code = 'SLUICE_INPUT_DEAD_LETTER';
}

type Entry = { id: string; message: Record<string, string> };

/** An entry's row: the JSON in its `row` field, else its fields as they are. */
function rowOf(message: Record<string, string>): Row {
  if (typeof message.row === 'string') {
    const row = JSON.parse(message.row) as unknown;
    if (row !== null && typeof row === 'object' && !Array.isArray(row)) return row as Row;
    throw new SluiceError('the `row` field is not a JSON object');
  }
  return { ...message };
}

/**
 * @example
 * pipeline('enrich').from(redisStream('redis://127.0.0.1:6379/tasks?group=enrichers')).pipe(…).to(toRedisStream('redis://127.0.0.1:6379/results'))
 */
export function redisStream(location: string, options: RedisStreamOptions = {}): Source {
  const { server, stream, shown, params } = parseRedisStreamLocation(location);
  const group = options.group ?? params.get('group') ?? 'sluice';
  const consumer = options.consumer ?? params.get('consumer') ?? `${hostname()}-${process.pid}`;
  const count = options.count ?? 100;
  const claimIdleMs = options.claimIdleMs ?? 60_000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const deadLetter = options.deadLetter ?? `${stream}:dead`;
  const blockMs = options.blockMs ?? 1000;
  const endWhenIdle = options.endWhenIdle ?? true;
  // Positions are this reader's own count; the entry ids they stand for wait here for their ack.
  const inFlight = new Map<number, string>();
  /** The entry ids in flight here: a claim that returns one of them (this reader's own, idle a while) is not a new delivery. */
  const held = new Set<string>();
  let acking: string[] = [];
  /** The reading connection, while the read goes on. */
  let client: RedisClient | undefined;
  let started = false;
  /** Acknowledged, then deleted (the stream keeps only the work in flight), as one transaction. */
  const acknowledge = (redis: RedisClient, ids: string[]) =>
    redis
      .multi()
      .xAck(stream, group, ids)
      .xDel(stream, ids)
      .exec()
      .then(() => {});
  const flushAcks = () => {
    const ids = acking;
    acking = [];
    if (ids.length === 0) return;
    // After the read has ended, its connection is closed (an open one would hold the process for
    // rows that may never finish): the last acknowledgements each take a connection of their own.
    const sent = client
      ? acknowledge(client, ids)
      : connectRedis(server, 'the Redis stream').then(async (once) => {
          try {
            await acknowledge(once, ids);
          } finally {
            await once.close();
          }
        });
    // Still held until Redis has the acknowledgement: a claim meanwhile must not take them again.
    void sent
      .catch(() => {})
      .finally(() => {
        for (const id of ids) held.delete(id);
      });
  };
  return {
    name: stream,
    positions: 'index',
    done(position) {
      const id = inFlight.get(position);
      if (id === undefined) return;
      inFlight.delete(position);
      if (acking.push(id) === 1) queueMicrotask(flushAcks);
    },
    async *read(signal) {
      if (started) throw new SluiceConfigError(`The Redis stream ${shown} was already read by this source: make a new one to read again`);
      started = true;
      const redis = await connectRedis(server, 'the Redis stream');
      client = redis;
      const makeGroup = async () => {
        try {
          await redis.xGroupCreate(stream, group, '0', { MKSTREAM: true });
        } catch (error) {
          if (!/BUSYGROUP/.test((error as Error).message)) throw error;
        }
      };
      // A live reader's entries are renewed (claimed by itself, idle time back to 0), so that others
      // claim only a dead reader's, whatever a row takes.
      const renew = setInterval(
        () => {
          const ids = [...held];
          if (ids.length > 0) void redis.xClaimJustId(stream, group, consumer, 0, ids).catch(() => {});
        },
        Math.max(50, claimIdleMs / 3),
      );
      renew.unref();
      try {
        await makeGroup();
        let position = 0;
        let claimCursor = '0-0';
        while (!signal.aborted) {
          const items: SourceItem[] = [];
          const take = (entry: Entry, deliveries: number) => {
            const at = position++;
            if (deliveries > maxDeliveries) {
              options.onEntry?.(at, entry.id, entry.message);
              void redis
                .multi()
                .xAdd(deadLetter, '*', { id: entry.id, ...entry.message, deliveries: String(deliveries) })
                .xAck(stream, group, entry.id)
                .xDel(stream, entry.id)
                .exec();
              items.push({
                ok: false,
                position: at,
                error: new DeadLetterError(`Stream entry ${entry.id} was delivered ${deliveries} times without being finished; moved to ${deadLetter}`),
                raw: JSON.stringify(entry.message).slice(0, 300),
              });
              return;
            }
            inFlight.set(at, entry.id);
            held.add(entry.id);
            options.onEntry?.(at, entry.id, entry.message);
            try {
              items.push({ ok: true, row: rowOf(entry.message), position: at });
            } catch (error) {
              items.push({
                ok: false,
                position: at,
                error: new SluiceError(`Stream entry ${entry.id}: ${(error as Error).message}`),
                raw: JSON.stringify(entry.message).slice(0, 300),
              });
            }
          };
          let claimed: { nextId: string; messages: (Entry | null)[] };
          let fresh: { name: string; messages: Entry[] }[] | null;
          let stale: Entry[];
          let deliveries = new Map<string, number>();
          try {
            // Entries a consumer that died left unacknowledged, first.
            claimed = (await redis.xAutoClaim(stream, group, consumer, claimIdleMs, claimCursor, { COUNT: count })) as typeof claimed;
            stale = claimed.messages.filter((entry): entry is Entry => entry !== null && !held.has(entry.id));
            if (stale.length > 0) {
              const pending = (await redis.xPendingRange(stream, group, stale[0]!.id, stale.at(-1)!.id, stale.length * 2)) as {
                id: string;
                deliveriesCounter: number;
              }[];
              deliveries = new Map(pending.map((p) => [p.id, p.deliveriesCounter]));
            }
            fresh = (await redis.xReadGroup(
              group,
              consumer,
              { key: stream, id: '>' },
              { COUNT: count, BLOCK: stale.length > 0 ? 1 : blockMs },
            )) as typeof fresh;
          } catch (error) {
            // Redis restarted or is restarting: the client reconnects (or gives up, closing); the
            // group is made again if the restart lost it. Anything else is the read's failure.
            const message = (error as Error).message ?? '';
            if (signal.aborted || !redis.isOpen || !/NOGROUP|ECONNRESET|ECONNREFUSED|closed|Socket|LOADING|connection/i.test(message)) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
            if (/NOGROUP/.test(message)) await makeGroup().catch(() => {});
            continue;
          }
          claimCursor = claimed.nextId;
          for (const entry of stale) take(entry, deliveries.get(entry.id) ?? 1);
          for (const entry of fresh?.[0]?.messages ?? []) take(entry, 1);
          if (items.length > 0) yield items;
          // Nothing new and nothing to claim: a job ends here (its rows in flight are acknowledged as they finish).
          else if (endWhenIdle && claimCursor === '0-0') return;
        }
      } finally {
        clearInterval(renew);
        flushAcks();
        client = undefined;
        await redis.close().catch(() => {});
      }
    },
  };
}
