/**
 * The final summary table, printed on stderr after every run.
 * @module
 */
import type { RunSummary } from '../core/summary.ts';
import type { UsageSnapshot } from '../llm/usage.ts';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * The summary as lines of text. The cache line shows only when the cache was used, unless
 * `showIdleCache` (for `inspect`, which always reports it).
 */
export function formatSummary(summary: RunSummary, { showIdleCache = false, showError = true }: { showIdleCache?: boolean; showError?: boolean } = {}): string {
  const lines: string[] = [];
  const s = summary.source;
  lines.push(`sluice: ${summary.pipeline} ${summary.status} in ${(summary.wallMs / 1000).toFixed(2)} s`);
  lines.push(`  source ${s.name}: ${s.read} read, ${s.invalid} invalid, ${s.skipped} skipped, ${s.done} done`);
  const rows = Object.entries(summary.steps).map(([name, st]) => [name, st.in, st.out, st.filtered, st.failed, st.emitted]);
  if (rows.length > 0) {
    const header = ['step', 'in', 'out', 'filtered', 'failed', 'emitted'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    lines.push(`  ${header.map((h, i) => pad(h, widths[i]!, i > 0)).join('  ')}`);
    for (const row of rows) lines.push(`  ${row.map((v, i) => pad(String(v), widths[i]!, i > 0)).join('  ')}`);
  }
  const llms = (summary.llm ?? {}) as Record<string, UsageSnapshot & { simulated?: boolean }>;
  for (const [name, u] of Object.entries(llms)) {
    lines.push(`  llm ${name}${u.simulated ? ' (SIMULATED: answers are not from a real model)' : ''}: ${usageLine(u)}`);
  }
  const workers = summary.workers as { queue: string; tasks: number; resent: number; duplicates: number; llm?: Record<string, UsageSnapshot> } | undefined;
  if (workers && typeof workers === 'object') {
    lines.push(
      `  workers (queue ${workers.queue}): ${workers.tasks} tasks, ${workers.resent} sent again after Redis restarted, ${workers.duplicates} duplicate results dropped`,
    );
    for (const [name, u] of Object.entries(workers.llm ?? {}) as [string, UsageSnapshot & { simulated?: boolean }][]) {
      lines.push(`  llm ${name} on the workers${u.simulated ? ' (SIMULATED: answers are not from a real model)' : ''}: ${usageLine(u)}`);
    }
  }
  const cache = summary.cache as { dir?: string; hits?: number; misses?: number; writes?: number } | undefined;
  if (cache && typeof cache === 'object' && typeof cache.hits === 'number' && (showIdleCache || cache.hits + (cache.misses ?? 0) + (cache.writes ?? 0) > 0)) {
    lines.push(`  cache${cache.dir ? ` ${cache.dir}` : ''}: ${cache.hits} hits, ${cache.misses ?? 0} misses, ${cache.writes ?? 0} writes`);
  }
  const written = Object.entries(summary.written)
    .map(([leaf, n]) => `${leaf} ${n}`)
    .join(', ');
  lines.push(`  written: ${written || 'none'}`);
  lines.push(`  failed: ${summary.failed}${summary.failed > 0 && summary.failedPath ? ` (see ${summary.failedPath})` : ''}`);
  const kept = summary.kept as { steps: string[]; dir?: string } | undefined;
  if (kept && typeof kept === 'object') {
    lines.push(
      kept.dir
        ? `  kept: ${kept.steps.join(', ')} (sluice inspect ${kept.dir} --step <name>)`
        : `  kept: nothing: ${kept.steps.join(', ')} ${kept.steps.length === 1 ? 'is' : 'are'} marked keep, which needs a run directory (--run-dir)`,
    );
  }
  const quiet = summary.console as { steps: string[]; captured: number; dropped: number; file?: string } | undefined;
  if (quiet && typeof quiet === 'object') {
    lines.push(
      quiet.captured + quiet.dropped === 0
        ? `  console of ${quiet.steps.join(', ')}: none`
        : quiet.file
          ? `  console of ${quiet.steps.join(', ')}: ${quiet.captured} line${quiet.captured === 1 ? '' : 's'} in ${quiet.file}`
          : `  console of ${quiet.steps.join(', ')}: ${quiet.dropped} line${quiet.dropped === 1 ? '' : 's'} dropped (quiet steps write to a run directory: --run-dir)`,
    );
  }
  const notDone = s.read - s.done;
  if ((summary.status === 'error' || summary.status === 'interrupted') && notDone > 0) {
    const by = summary.status === 'error' ? 'the error' : 'the stop';
    lines.push(
      `  not done: ${notDone} record${notDone === 1 ? '' : 's'}, cut short by ${by}${summary.runDir ? ': the same command redoes them' : ': rerun with --run-dir to resume instead of starting over'}`,
    );
  }
  // The CLI prints the error itself as its last line; repeating it here would say it twice.
  if (summary.error && showError) lines.push(`  error: ${summary.error.code}: ${summary.error.message}`);
  return `${lines.join('\n')}\n`;
}

function usageLine(u: UsageSnapshot): string {
  const batch = u.batch
    ? `; batch API: ${u.batch.answers} answer${u.batch.answers === 1 ? '' : 's'} in ${u.batch.submitted} batch${u.batch.submitted === 1 ? '' : 'es'} (${u.batch.completed} completed, ${u.batch.ended} ended with requests unanswered, ${u.batch.inProgress} in progress), ${u.batch.resubmitted} requests sent again, priced at the batch rate`
    : '';
  return (
    `${u.requests} requests, ${u.retries} retries, ${u.rateLimited} rate-limited, ` +
    `${u.cacheHits} cache hits, ${u.promptTokens} + ${u.completionTokens} tokens, $${u.costUsd.toFixed(4)}${u.priced ? '' : ' (model not in the price table)'}${batch}`
  );
}
