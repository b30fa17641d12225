/**
 * The pipeline of the workers benchmark: one latency-bound `generate` step at concurrency 16, on
 * the simulator at `SIM_URL`. The coordinator and every worker load this same module.
 */
import { pipeline } from 'sluice';
import { createLlm, generate } from 'sluice/llm';

const llm = createLlm({ model: 'sim-small', baseURL: process.env.SIM_URL ?? '', apiKey: 'sk-bench', concurrency: 16 });
export default pipeline('bench-workers').pipe(generate({ llm, prompt: 'Say something about row {{ i }}.', as: 'answer', concurrency: 16, metadata: false }));
