/**
 * LangChain.js `ChatOpenAI.batch` with its defaults (6 retries), against a throttling server.
 * `returnExceptions` so that one failed request does not hide the others. `node … url n concurrency`
 */
import { ChatOpenAI } from '@langchain/openai';
import { report, REQUEST_TEXT } from './llm-common.ts';

const [url = '', n = '1500', concurrency = '64'] = process.argv.slice(2);
const chat = new ChatOpenAI({ model: 'sim-small', apiKey: 'sk-bench', configuration: { baseURL: url } });
const started = performance.now();
const cpu = process.cpuUsage();
const results = await chat.batch(
  Array.from({ length: Number(n) }, (_, i) => `${REQUEST_TEXT} #${i}`),
  { maxConcurrency: Number(concurrency) },
  { returnExceptions: true },
);
const errors = results.filter((r) => r instanceof Error).length;
report(Number(n) - errors, started, cpu, errors);
