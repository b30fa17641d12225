/**
 * Sluice against a throttling server, with default settings: N rows through one `generate` step
 * (`plain`), or N/6 rows scattered six ways first (`scatter`). `node … url n concurrency plain|scatter`
 */
import { fromIterable, pipeline, scatter, type Sink } from 'sluice';
import { createLlm, generate } from 'sluice/llm';
import { report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '1500', concurrency = '64', shape = 'plain'] = process.argv.slice(2);
const rows = Number(n);
const c = Number(concurrency);
const llm = createLlm({ model: 'sim-small', baseURL: url, apiKey: 'sk-bench', concurrency: c });
let delivered = 0;
const countingSink: Sink = {
  name: 'count',
  write: (_row, _leaf, done) => {
    delivered++;
    done();
  },
  close: async () => {},
};
const source =
  shape === 'scatter'
    ? pipeline('throttle')
        .from(fromIterable(Array.from({ length: rows / 6 }, (_, i) => ({ i, parts: [1, 2, 3, 4, 5, 6] }))))
        .pipe(scatter('parts', { as: 'part' }))
    : pipeline('throttle').from(fromIterable(Array.from({ length: rows }, (_, i) => ({ i, part: 0 }))));
const started = performance.now();
const cpu = process.cpuUsage();
const summary = await source
  .pipe(generate({ llm, prompt: `${REQUEST_TEXT} #{{ i }}.{{ part }}`, as: 'answer', metadata: false }))
  .to(countingSink)
  .run({ cache: false, failed: { name: 'failed', write: (_row, _leaf, done) => done(), close: async () => {} } });
const usage = (summary.llm as Record<string, { requests: number; rateLimited: number; retries: number }>)['sim-small']!;
report(delivered, started, cpu, summary.failed, {
  requestsSent: usage.requests,
  rateLimited: usage.rateLimited,
  lowestConcurrency: llm.concurrency?.snapshot().lowest,
  pauses: llm.rateLimiter.snapshot().pauses,
  decreases: llm.concurrency?.snapshot().decreases,
});
await llm.close();
