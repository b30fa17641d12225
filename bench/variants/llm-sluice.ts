/**
 * Sluice: a pipeline of one `generate` step at concurrency C over N rows, to a null sink.
 * `node … url n concurrency [cacheDir|-] [steps=1]` (cacheDir `-` = no cache)
 */
import { fromIterable, pipeline, type Sink } from 'sluice';
import { createLlm, generate } from 'sluice/llm';
import { report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '20000', concurrency = '256', cacheDir = '-', steps = '1'] = process.argv.slice(2);
const c = Number(concurrency);
const llm = createLlm({ model: 'sim-small', baseURL: url, apiKey: 'sk-bench', concurrency: c });
const nullSink: Sink = { name: 'null', write: (_row, _leaf, done) => done(), close: async () => {} };
let p = pipeline('bench')
  .from(fromIterable(Array.from({ length: Number(n) }, (_, i) => ({ i }))))
  .pipe(generate({ llm, prompt: `${REQUEST_TEXT} #{{ i }}`, as: 'answer', concurrency: c, metadata: false }));
if (steps === '2') p = p.pipe(generate({ llm, prompt: 'Check this answer: {{ answer }}', as: 'check', concurrency: c, metadata: false }));
const started = performance.now();
const cpu = process.cpuUsage();
const summary = await p.to(nullSink).run({ cache: cacheDir === '-' ? false : cacheDir, budget: c * 4 });
const usage = (summary.llm as Record<string, { requests: number; errors: number; cacheHits: number }>)['sim-small']!;
report(Number(n) * Number(steps), started, cpu, usage.errors, { requestsSent: usage.requests, cacheHits: usage.cacheHits, failed: summary.failed });
await llm.close();
