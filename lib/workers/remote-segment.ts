/**
 * The coordinator's side of a segment of steps that workers run: a step that sends each row to
 * the segment's task stream and passes on the rows its result holds. A row holds its permit until
 * its result is in, so the run's budget bounds the tasks in Redis as it bounds rows in one process.
 *
 * Delivery is at least once (a worker that dies after writing a result runs again elsewhere; a
 * restarted Redis may have lost the last tasks, which are sent again when the connection is back),
 * and exactly once past this step: each task has a key, the first result for it is taken, and any
 * later one is dropped and counted as a duplicate.
 * @module
 */
import { Observable } from 'rxjs';
import { connectRedis, type RedisClient, retryWhileReconnecting } from '../broker/connect-redis.ts';
import { defineStep } from '../core/define-step.ts';
import type { Envelope } from '../core/envelope.ts';
import { SluiceError } from '../core/errors.ts';
import type { Columns } from '../core/columns.ts';
import type { Row } from '../core/row.ts';
import { enter } from '../core/step-stats.ts';
import type { AnyStep, Step } from '../core/step.ts';
import type { QueueLease } from './queue-lease.ts';
import type { RemoteFailure, TaskResult } from './task-result.ts';
import { RESULTS_TTL_MS, VERSION_TTL_MS, type WorkQueue } from './work-queue.ts';
import type { WorkerCounts } from './worker-counts.ts';

export interface RemoteSegmentOptions {
  readonly queue: WorkQueue;
  /** The segment's index: its task stream. */
  readonly segment: number;
  readonly steps: readonly AnyStep[];
  /** The pipeline's version; workers of another are refused. */
  readonly version: string;
  /** The run's hold on the queue, shared by its segments. */
  readonly lease: QueueLease;
  /** Counts shared by the run's segments, for the summary. */
  readonly counts: WorkerCounts;
  /** Told once when no worker has taken a task for a while (the CLI prints it). */
  readonly onIdle?: (message: string) => void;
  /** How long with tasks waiting and no result before `onIdle`. Default 15,000 ms. */
  readonly idleNoticeMs?: number;
}

function remoteError(failure: RemoteFailure): Error {
  return Object.assign(new SluiceError(`In step \`${failure.step}\` on a worker: ${failure.error.message}`), {
    name: 'RemoteStepError',
    code: failure.error.code,
  });
}

export function remoteSegment(options: RemoteSegmentOptions): Step {
  const { queue, segment, steps, version, counts } = options;
  const names = steps.map((step) => step.name);
  return defineStep({
    ownsPermits: true,
    kind: 'workers',
    name: `workers-${names.join('+')}`,
    needs: steps[0]?.needs ?? [],
    params: { queue: queue.name, segment, steps: names },
    columnsAfter: (input: Columns) => steps.reduce((columns, step) => step.columnsAfter(columns), input),
    operator: (ctx) => {
      ctx.services.set('workers', counts);
      return (input) =>
        new Observable<Envelope>((subscriber) => {
          const session = options.lease.session;
          const tasks = queue.tasks(segment);
          const results = queue.results(`${session}:${segment}`);
          const pending = new Map<string, Envelope>();
          const stop = new AbortController();
          let sent = 0;
          let inputDone = false;
          let heardBack = false;
          let writer: RedisClient | undefined;
          let reader: RedisClient | undefined;
          let failed = false;
          const fail = (error: unknown) => {
            if (failed) return;
            failed = true;
            stop.abort();
            subscriber.error(error);
          };

          const taskFields = (key: string, envelope: Envelope) => ({ row: JSON.stringify(envelope.row), key, reply: results, v: version, id: envelope.id });
          const send = (key: string, envelope: Envelope) =>
            retryWhileReconnecting(writer!, () => writer!.xAdd(tasks, '*', taskFields(key, envelope)), stop.signal).then(() => {
              counts.tasks++;
            });

          const settle = (entry: TaskResult) => {
            if (entry.usage) counts.addUsage(entry.usage);
            const parent = pending.get(entry.key);
            if (!parent) {
              counts.duplicates++; // A second result for a task (a worker that died after writing one), or a stale one.
              return;
            }
            pending.delete(entry.key);
            heardBack = true;
            const total = entry.rows.length + entry.failed.length;
            if (total === 0) {
              ctx.drop(parent);
              return;
            }
            // Each row out is a copy for an open fan (a broadcast's join): the parent's place goes to the first.
            const fan = parent.fans.at(-1);
            if (fan) fan.pending += total - 1;
            const child = (suffix: string, row: unknown): Envelope => {
              parent.permit.retain();
              return { id: parent.id + suffix, row: row as Row, lineage: parent.lineage, permit: parent.permit, branch: parent.branch, fans: parent.fans };
            };
            for (const [suffix, row] of entry.rows) {
              ctx.stats.emitted++;
              subscriber.next(child(suffix, row));
            }
            for (const failure of entry.failed) {
              ctx.fail(child(failure.suffix, failure.row ?? parent.row), remoteError(failure), {
                ...(failure.attempts !== undefined ? { attempts: failure.attempts } : {}),
                ...(failure.raw !== undefined ? { raw: failure.raw } : {}),
              });
            }
            if (entry.rows.length > 0) ctx.stats.out++;
            parent.permit.release();
          };

          const finishIfDone = () => {
            if (!inputDone || pending.size > 0 || failed) return;
            stop.abort();
            subscriber.complete();
          };

          const readResults = async () => {
            let last = '0-0';
            while (!stop.signal.aborted) {
              type Reply = { name: string; messages: { id: string; message: Record<string, string> }[] }[] | null;
              let reply: Reply;
              try {
                reply = (await retryWhileReconnecting(
                  reader!,
                  () => reader!.xRead({ key: results, id: last }, { COUNT: 500, BLOCK: 1000 }),
                  stop.signal,
                )) as Reply;
              } catch (error) {
                if (stop.signal.aborted) return;
                throw error;
              }
              const messages = reply?.[0]?.messages ?? [];
              if (messages.length === 0) continue;
              last = messages.at(-1)!.id;
              for (const { message } of messages) {
                if (message.key === undefined) continue;
                settle({
                  key: message.key,
                  rows: JSON.parse(message.rows ?? '[]'),
                  failed: JSON.parse(message.failed ?? '[]'),
                  usage: JSON.parse(message.usage ?? '{}'),
                });
              }
              // Read: the stream keeps only results not yet taken.
              void writer!
                .xDel(
                  results,
                  messages.map((m) => m.id),
                )
                .catch(() => {});
              finishIfDone();
            }
          };

          let renew: ReturnType<typeof setInterval> | undefined;
          let idleTimer: ReturnType<typeof setTimeout> | undefined;
          const start = async () => {
            await options.lease.acquire();
            writer = await connectRedis(queue.server, 'the workers’ Redis');
            reader = await connectRedis(queue.server, 'the workers’ Redis');
            // The results stream exists from the start, so that a worker's late result for a coordinator
            // that is gone (XADD NOMKSTREAM) cannot create it again once it has expired.
            await writer.multi().xAdd(results, '*', { open: '1' }).xTrim(results, 'MAXLEN', 0).pExpire(results, RESULTS_TTL_MS).exec();
            renew = setInterval(() => {
              void writer?.pExpire(results, RESULTS_TTL_MS).catch(() => {});
            }, VERSION_TTL_MS / 3);
            // A restart of Redis may have lost the last tasks sent: send every one still waiting again.
            writer.on('ready', () => {
              for (const [key, envelope] of pending) {
                counts.resent++;
                void send(key, envelope).catch(fail);
              }
            });
            void readResults().catch(fail);
          };

          const started = start();
          const subscription = input.subscribe({
            next(envelope) {
              enter(ctx.stats);
              const key = `${session}-${sent++}`;
              pending.set(key, envelope);
              if (idleTimer === undefined && options.onIdle) {
                idleTimer = setTimeout(() => {
                  if (!heardBack && pending.size > 0) {
                    options.onIdle?.(
                      `no worker has returned a task from queue \`${queue.name}\` yet: start one with \`sluice worker <pipeline> --redis <url>\` (same pipeline, same --queue)`,
                    );
                  }
                }, options.idleNoticeMs ?? 15_000);
                idleTimer.unref();
              }
              started.then(() => send(key, envelope)).catch(fail);
            },
            error: fail,
            complete() {
              inputDone = true;
              started.then(finishIfDone, fail);
            },
          });

          return () => {
            subscription.unsubscribe();
            stop.abort();
            clearInterval(renew);
            clearTimeout(idleTimer);
            void started
              .catch(() => {})
              .finally(async () => {
                // This run's results are no longer read; the queue is let go once every segment is done.
                await writer
                  ?.del(results)
                  .catch(() => {})
                  .finally(() => writer?.close().catch(() => {}));
                await reader?.close().catch(() => {});
                await options.lease.release();
              });
          };
        });
    },
  });
}
