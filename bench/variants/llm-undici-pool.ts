/** (b) The limit: a promise pool over undici `Pool.request`, no SDK. `node … url n concurrency` */
import { Pool } from 'undici';
import { promisePool, report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '20000', concurrency = '256'] = process.argv.slice(2);
const base = new URL(url);
const pool = new Pool(base.origin, { connections: Number(concurrency) });
const started = performance.now();
const cpu = process.cpuUsage();
const errors = await promisePool(Number(n), Number(concurrency), async (i) => {
  const { statusCode, body } = await pool.request({
    path: `${base.pathname}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: `${REQUEST_TEXT} #${i}` }] }),
  });
  const parsed = (await body.json()) as { choices?: unknown[] };
  if (statusCode !== 200 || !parsed.choices) throw new Error(`status ${statusCode}`);
});
report(Number(n), started, cpu, errors);
await pool.close();
