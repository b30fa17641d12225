/**
 * A pool of worker threads for one step of one run (`piscina`): made when the step starts, its
 * module checked on a thread before the first row, destroyed when the step ends or is
 * unsubscribed. A thread that crashes fails the task it was running; piscina starts another.
 * @module
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Observable, type OperatorFunction } from 'rxjs';
import { RowAbandonedError, SluiceConfigError } from '../core/errors.ts';
import type { ThreadTask } from './thread-task.ts';

export interface ThreadWork {
  /** The module that exports the function: a path (relative to the current directory) or a `file:` URL. */
  module: string | URL;
  /** The export to call. Default `default`. */
  export?: string;
  /** Threads in the pool. Default: the machine's cores (`os.availableParallelism()`). */
  threads?: number;
  /** Passed to the function as `info.params` (structured-cloned to each thread). */
  params?: Record<string, unknown>;
}

/** Runs a task on one of the step's threads. */
export type RunOnThread = (task: Pick<ThreadTask, 'mode' | 'input' | 'ids'>) => Promise<unknown>;

/** What a step's pool runs: the module as a `file:` URL, its export, the thread count (checked), the params. */
export interface ThreadTarget {
  module: string;
  exportName: string;
  threads: number;
  params: Record<string, unknown>;
}

/** The step's target, resolved once, when the step is made (a relative path against the working directory then). */
export function threadTarget(work: ThreadWork): ThreadTarget {
  const { module, export: exportName = 'default', threads = availableParallelism(), params = {} } = work;
  if (!(module instanceof URL) && (typeof module !== 'string' || module === '')) {
    throw new SluiceConfigError(`Expected \`module\` to be a path or a file URL, got \`${String(module)}\``);
  }
  if (!Number.isInteger(threads) || threads < 1) throw new SluiceConfigError(`Expected \`threads\` to be an integer from 1 and up, got \`${String(threads)}\``);
  const url = module instanceof URL ? module.href : /^file:/.test(module) ? module : pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
  return { module: url, exportName, threads, params };
}

/** The thread entry beside this file, in the same form (`.ts` from source, `.js` when built). */
const entry = new URL(`./thread-entry${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

/**
 * Wraps a step's operator with its pool: `make(run)` builds the operator that sends work to it.
 * The pool starts when the step is subscribed; rows that arrive meanwhile wait for it. If the
 * module cannot run on a thread (no such file or export), the step errors before any row runs.
 * Unsubscribing, or `stop` (the run's hard stop), destroys the pool: the tasks running on it
 * are abandoned (a task gets no signal of its own: one per task cost a tenth of the throughput).
 */
export function withThreadPool<T>(target: ThreadTarget, make: (run: RunOnThread) => OperatorFunction<T, T>, stop?: AbortSignal): OperatorFunction<T, T> {
  const { module, exportName, threads, params } = target;
  const task = (fields: Pick<ThreadTask, 'mode' | 'input' | 'ids'>): ThreadTask => ({ module, export: exportName, params, ...fields });
  return (source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      const ready = (async () => {
        const { Piscina } = await import('piscina');
        const pool = new Piscina({ filename: entry, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1 });
        try {
          await pool.run(task({ mode: 'probe' }));
        } catch (error) {
          await pool.destroy();
          throw new SluiceConfigError(`Cannot run ${module} on worker threads: ${(error as Error).message}`, { cause: error });
        }
        return pool;
      })();
      ready.catch((error: unknown) => subscriber.error(error));
      // After a failed start the step has errored: the rows' work never settles. After the end (a
      // hard stop, an unsubscribe) the pool is gone: the rows it held are abandoned, neither done
      // nor failed, so that a resume redoes them.
      let ended = false;
      const abandoned = () => new RowAbandonedError('The step stopped, and its worker threads with it, before this row was done');
      const run: RunOnThread = (fields) =>
        ended
          ? Promise.reject(abandoned())
          : ready.then(
              (pool) => pool.run(task(fields)).catch((error: unknown) => Promise.reject(ended ? abandoned() : error)),
              () => new Promise<never>(() => {}),
            );
      const end = () => {
        ended = true;
        ready.then(
          (pool) => pool.destroy(),
          () => {},
        );
      };
      stop?.addEventListener('abort', end, { once: true });
      const subscription = source.pipe(make(run)).subscribe(subscriber);
      return () => {
        stop?.removeEventListener('abort', end);
        subscription.unsubscribe();
        end();
      };
    });
}
