/** The `openai` SDK with its defaults (2 retries), in a promise pool, against a throttling server. `node … url n concurrency` */
import OpenAI from 'openai';
import { promisePool, report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '1500', concurrency = '64'] = process.argv.slice(2);
const client = new OpenAI({ baseURL: url, apiKey: 'sk-bench' });
const started = performance.now();
const cpu = process.cpuUsage();
const errors = await promisePool(Number(n), Number(concurrency), async (i) => {
  await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: `${REQUEST_TEXT} #${i}` }] });
});
report(Number(n) - errors, started, cpu, errors);
