/**
 * A pipeline whose row-wise segments run on workers: each segment (see `worker-segments.ts`)
 * becomes one step that sends its rows to the segment's task stream and takes back their results.
 * Everything else (the source, the steps that see several rows, the sinks, the run directory,
 * resume and the summary) stays where the run is, as in a run without workers.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { AnyStep } from '../core/step.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import { pipelineVersion } from './pipeline-version.ts';
import { QueueLease } from './queue-lease.ts';
import { remoteSegment } from './remote-segment.ts';
import { workQueue } from './work-queue.ts';
import { WorkerCounts } from './worker-counts.ts';
import { workerSegments } from './worker-segments.ts';

export interface WithWorkersOptions {
  /** The Redis server the workers read: `redis://[:password@]host:port[/db]`. */
  readonly redis: string;
  /** The work queue. Default: the pipeline's name. */
  readonly queue?: string;
  /** The fingerprint of a module pipeline's code, part of the version workers must match. */
  readonly codeFingerprint?: string;
  /** Told once when no worker has returned a task for a while. */
  readonly onIdle?: (message: string) => void;
}

/**
 * @example
 * await withWorkers(qa, { redis: 'redis://127.0.0.1:6379' }).run({ runDir: 'runs/qa' });
 */
export function withWorkers<R>(pipeline: Pipeline<R>, options: WithWorkersOptions): Pipeline<R> {
  const queue = workQueue(options.redis, options.queue ?? pipeline.name);
  const segments = workerSegments(pipeline.steps);
  if (segments.length === 0) {
    throw new SluiceConfigError(
      `No step of pipeline \`${pipeline.name}\` can run on workers: they run row-wise steps (map, filter, scatter, the LLM steps, threadMap), and this pipeline has none. Run it without --workers.`,
    );
  }
  const version = pipelineVersion(pipeline.steps, options.codeFingerprint);
  const counts = new WorkerCounts(queue.name);
  const lease = new QueueLease({ queue, version, segments: segments.length, ...(options.onIdle ? { onWait: options.onIdle } : {}) });
  const steps: AnyStep[] = [];
  let next = 0;
  segments.forEach((segment, index) => {
    steps.push(...pipeline.steps.slice(next, segment.start));
    steps.push(remoteSegment({ queue, segment: index, steps: segment.steps, version, counts, lease, ...(options.onIdle ? { onIdle: options.onIdle } : {}) }));
    next = segment.start + segment.steps.length;
  });
  steps.push(...pipeline.steps.slice(next));
  return new Pipeline<R>({ name: pipeline.name, steps, source: pipeline.source, sink: pipeline.sink, failed: pipeline.failed, defaults: pipeline.defaults });
}
