/**
 * The entry of every Sluice worker thread (run by `piscina`): calls the export a task names.
 * A module is imported once per thread and kept.
 * @module
 */
import type { ThreadTask } from './thread-task.ts';

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function exported(task: ThreadTask): Promise<(input: unknown, info: unknown) => unknown> {
  let loading = modules.get(task.module);
  if (!loading) modules.set(task.module, (loading = import(task.module) as Promise<Record<string, unknown>>));
  const loaded = await loading;
  const fn = Object.hasOwn(loaded, task.export) ? loaded[task.export] : undefined;
  if (typeof fn !== 'function') {
    const names = Object.keys(loaded);
    throw new TypeError(
      `Expected export \`${task.export}\` of ${task.module} to be a function, got ${fn === undefined ? `nothing (it exports ${names.length ? names.map((n) => `\`${n}\``).join(', ') : 'nothing'})` : typeof fn}`,
    );
  }
  return fn as (input: unknown, info: unknown) => unknown;
}

export default async function runThreadTask(task: ThreadTask): Promise<unknown> {
  const fn = await exported(task);
  if (task.mode === 'probe') return true;
  if (task.mode === 'batch') return fn(task.input, { ids: task.ids, params: task.params });
  // One call per row: a row that throws gets its error as its result, and the others go on.
  const rows = task.input as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < rows.length; i++) {
    try {
      out.push(await fn(rows[i], { id: task.ids?.[i], params: task.params }));
    } catch (error) {
      out.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return out;
}
