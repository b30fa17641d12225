/** The Vercel AI SDK's `generateText` with its defaults (2 retries), through p-map, against a throttling server. `node … url n concurrency` */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import pMap from 'p-map';
import { report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '1500', concurrency = '64'] = process.argv.slice(2);
const provider = createOpenAI({ baseURL: url, apiKey: 'sk-bench' });
const model = provider.chat('sim-small');
let errors = 0;
const started = performance.now();
const cpu = process.cpuUsage();
await pMap(
  Array.from({ length: Number(n) }, (_, i) => i),
  async (i) => {
    try {
      await generateText({ model, prompt: `${REQUEST_TEXT} #${i}` });
    } catch {
      errors++;
    }
  },
  { concurrency: Number(concurrency) },
);
report(Number(n) - errors, started, cpu, errors);
