/**
 * A worker: takes the tasks of a run's segments from Redis and runs their steps, each segment as
 * a run of its own whose source is the segment's task stream (read in the consumer group
 * `workers`) and whose rows go back to the coordinator that sent the task. A task's result is
 * written before the task is acknowledged, so a worker that dies loses nothing: its tasks are
 * claimed by the others once idle for `claimIdleMs`, and a result written twice is dropped by the
 * coordinator. The rows a worker holds are bounded by its own budget, whatever the queue holds.
 * @module
 */
import { connectRedis, type RedisClient, retryWhileReconnecting } from '../broker/connect-redis.ts';
import { redisStream } from '../broker/redis-stream-source.ts';
import type { Envelope } from '../core/envelope.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { FailedRow } from '../core/failed-row.ts';
import { startRun } from '../core/run.ts';
import type { RunHandle, RunnablePipeline } from '../core/run-options.ts';
import type { Sink } from '../core/sink.ts';
import type { Source, SourceItem } from '../core/source.ts';
import type { RunSummary } from '../core/summary.ts';
import type { UsageSnapshot } from '../llm/usage.ts';
import { standardRunServices } from '../pipeline/standard-run-services.ts';
import { pipelineVersion } from './pipeline-version.ts';
import type { RemoteFailure } from './task-result.ts';
import { WORKER_GROUP, type WorkQueue, workQueue } from './work-queue.ts';
import { usageSince } from './worker-counts.ts';
import { type WorkerSegment, workerSegments } from './worker-segments.ts';

export interface WorkerOptions {
  /** The Redis server: `redis://[:password@]host:port[/db]`. */
  readonly redis: string;
  /** The work queue; the coordinator's `--queue`. Default: the pipeline's name. */
  readonly queue?: string;
  /** Tasks held at once, per segment. Default 64. */
  readonly budget?: number;
  /** Rows in flight per LLM step, over each step's own setting. */
  readonly concurrency?: number;
  /** How long a dead worker's task waits before another claims it. Default 30,000 ms. */
  readonly claimIdleMs?: number;
  /** Deliveries after which a task fails with `SLUICE_INPUT_DEAD_LETTER`. Default 5. */
  readonly maxDeliveries?: number;
  /** The request cache: a folder or Redis URL, or false. Default: the worker's Redis, shared by every worker. */
  readonly cache?: false | string;
  /** The fingerprint of a module pipeline's code, part of its version. */
  readonly codeFingerprint?: string;
  /** After a stop, how long requests in flight may take. Default 30,000 ms. */
  readonly graceMs?: number;
  /** Aborted to stop: no task is taken, the ones held finish (or are left to others), then it ends. */
  readonly signal?: AbortSignal;
  /** Told once the queue serves this pipeline and the worker starts taking tasks. */
  readonly onReady?: (info: { queue: string; version: string; segments: readonly string[][] }) => void;
  /** Told once when no run serves the queue yet (the worker waits for one). */
  readonly onWaiting?: (queue: string) => void;
}

export interface WorkerSummary {
  queue: string;
  version: string;
  /** One run per segment, as the engine summarises them (their `source.done` are the tasks finished). */
  runs: RunSummary[];
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Waits until the queue serves `version`; refuses another version before any task is taken. */
async function waitForRun(client: RedisClient, queue: WorkQueue, version: string, options: WorkerOptions): Promise<boolean> {
  let told = false;
  while (!options.signal?.aborted) {
    const serving = await client.get(queue.version);
    if (serving === version) return true;
    if (serving !== null) {
      throw new SluiceConfigError(
        `Refused: the work queue \`${queue.name}\` serves version ${serving} of the pipeline, and this worker has version ${version} (other steps, params or code). ` +
          'Start the worker with the same pipeline file (and the same --set flags) as the run, or give another run its own queue with --queue.',
      );
    }
    if (!told) options.onWaiting?.(queue.name);
    told = true;
    await sleep(500, options.signal);
  }
  return false;
}

/** The segment's task stream as a source, its rows' results sent back before each task is acknowledged. */
function segmentRun(
  pipeline: RunnablePipeline,
  segment: WorkerSegment,
  index: number,
  queue: WorkQueue,
  version: string,
  writer: RedisClient,
  options: WorkerOptions,
): RunHandle {
  const budget = options.budget ?? 64;
  const tasks = queue.tasks(index);
  const fields = new Map<number, Readonly<Record<string, string>>>();
  const made = new Map<number, { rows: [string, unknown][]; failed: RemoteFailure[] }>();
  const madeFor = (position: number) => {
    let entry = made.get(position);
    if (!entry) made.set(position, (entry = { rows: [], failed: [] }));
    return entry;
  };
  const stop = new AbortController();
  let handle: RunHandle | undefined;
  let reported: Record<string, UsageSnapshot> = {};
  const inner = redisStream(queue.streamUrl(tasks, { group: WORKER_GROUP }), {
    count: Math.max(1, Math.floor(budget / 4)),
    claimIdleMs: options.claimIdleMs ?? 30_000,
    maxDeliveries: options.maxDeliveries ?? 5,
    endWhenIdle: false,
    onEntry: (position, _id, message) => fields.set(position, message),
  });
  const prefix = `${inner.name}:`;
  /** A row id (`<tasks>:<position>.<suffix>`) as the task's position and the suffix under its row. */
  const split = (id: string): [number, string] => {
    const rest = id.slice(prefix.length);
    const cut = rest.search(/[^0-9]/);
    return cut < 0 ? [Number(rest), ''] : [Number(rest.slice(0, cut)), rest.slice(cut)];
  };

  const source: Source = {
    name: inner.name,
    positions: 'index',
    async *read(signal) {
      for await (const batch of inner.read(signal)) {
        // A task of another version: the queue moved on to another run. Leave it to that run's workers.
        const foreign = batch.find((item) => fields.get(item.position)?.v !== undefined && fields.get(item.position)?.v !== version);
        if (foreign) {
          throw new SluiceConfigError(
            `Stopped: the work queue \`${queue.name}\` now serves version ${fields.get(foreign.position)?.v} of the pipeline, not this worker's ${version}. Start workers with that run's pipeline.`,
          );
        }
        yield batch as readonly SourceItem[];
      }
    },
    done(position) {
      const message = fields.get(position);
      const result = made.get(position) ?? { rows: [], failed: [] };
      fields.delete(position);
      made.delete(position);
      if (message?.key === undefined || message.reply === undefined) return inner.done!(position);
      // The LLM usage since the last result rides along, so that the run's summary counts it.
      const now = (handle?.live.services.get('llm') as { snapshot?: () => Record<string, UsageSnapshot> } | undefined)?.snapshot?.() ?? {};
      const usage = usageSince(now, reported);
      reported = now;
      // Written, then acknowledged: a worker that dies between the two has its task run again, and
      // the coordinator drops the second result.
      const entry = { key: message.key, rows: JSON.stringify(result.rows), failed: JSON.stringify(result.failed), usage: JSON.stringify(usage) };
      // Redis restarting: sent again until it is back; if the client gives up, the task is not
      // acknowledged, and is claimed again.
      retryWhileReconnecting(writer, () => writer.xAddNoMkStream(message.reply!, '*', entry)).then(
        () => inner.done!(position),
        () => {},
      );
    },
  };

  const failed: Sink = {
    name: 'results',
    write(row, _leaf, done) {
      const failure = row as unknown as FailedRow;
      const [position, suffix] = split(failure.id);
      madeFor(position).failed.push({
        suffix,
        step: failure.step,
        error: failure.error,
        ...(failure.row !== undefined ? { row: failure.row } : {}),
        ...(failure.attempts !== undefined ? { attempts: failure.attempts } : {}),
        ...(failure.raw !== undefined ? { raw: failure.raw } : {}),
      });
      queueMicrotask(() => done());
    },
    async close() {},
  };

  const deliver = (envelope: Envelope) => {
    const [position] = split(envelope.lineage[0]!);
    const [, suffix] = split(envelope.id);
    madeFor(position).rows.push([suffix, envelope.row]);
    envelope.permit.release();
  };

  const segmentPipeline: RunnablePipeline = {
    name: pipeline.name,
    steps: segment.steps,
    source,
    sink: undefined,
    failed,
    defaults: pipeline.defaults,
    defaultFailedSink: () => failed,
  };
  const cache = options.cache ?? options.redis;
  handle = startRun(
    segmentPipeline,
    {
      source,
      failed,
      budget,
      cache,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
      signal: stop.signal,
    },
    { deliver, plugins: standardRunServices },
  );
  options.signal?.addEventListener('abort', () => handle.stop('stopped'), { once: true });
  return handle;
}

/**
 * Serves the run of `pipeline` on the queue until `signal` stops it (or a run of another version
 * takes the queue over). Resolves with the summaries of its segment runs.
 * @example
 * const stop = new AbortController();
 * process.on('SIGTERM', () => stop.abort());
 * await runWorker(pipeline, { redis: 'redis://127.0.0.1:6379', signal: stop.signal });
 */
export async function runWorker(pipeline: RunnablePipeline, options: WorkerOptions): Promise<WorkerSummary> {
  const queue = workQueue(options.redis, options.queue ?? pipeline.name);
  const version = pipelineVersion(pipeline.steps, options.codeFingerprint);
  const segments = workerSegments(pipeline.steps);
  if (segments.length === 0) {
    throw new SluiceConfigError(
      `No step of pipeline \`${pipeline.name}\` can run on a worker: workers run row-wise steps (map, filter, scatter, the LLM steps, threadMap), and this pipeline has none.`,
    );
  }
  const writer = await connectRedis(options.redis, 'the workers’ Redis');
  try {
    if (!(await waitForRun(writer, queue, version, options))) return { queue: queue.name, version, runs: [] };
    options.onReady?.({ queue: queue.name, version, segments: segments.map((segment) => segment.steps.map((step) => step.name)) });
    const handles = segments.map((segment, i) => segmentRun(pipeline, segment, i, queue, version, writer, options));
    const settled = await Promise.allSettled(handles.map((handle) => handle.summary));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) {
      for (const handle of handles) handle.stop('a segment failed');
      throw (failure as PromiseRejectedResult).reason;
    }
    return { queue: queue.name, version, runs: settled.map((result) => (result as PromiseFulfilledResult<RunSummary>).value) };
  } finally {
    await writer.close().catch(() => {});
  }
}
