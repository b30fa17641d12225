/**
 * `--llm simulated` (or `SLUICE_LLM=simulated`): starts the built-in OpenAI-compatible simulator
 * on 127.0.0.1 and names it in `SLUICE_SIMULATOR_URL`, with `SLUICE_LLM=simulated`, before the
 * pipeline module is loaded, so every `createLlm()` without a `baseURL` of its own talks to it
 * (`shared-simulator.ts`). Never used unless asked.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import { startSimulator } from '../llm/simulator/simulator.ts';

export interface LlmMode {
  readonly simulated: boolean;
  close(): Promise<void>;
}

export async function enterLlmMode(mode: string | undefined): Promise<LlmMode> {
  const chosen = mode ?? process.env.SLUICE_LLM;
  if (chosen === undefined || chosen === '' || chosen === 'env') return { simulated: false, close: async () => {} };
  if (chosen !== 'simulated') {
    throw new SluiceConfigError(
      `Expected \`--llm\` to be \`simulated\` or \`env\`, got \`${chosen}\`. Use \`env\` (the default) to take OPENAI_BASE_URL and OPENAI_API_KEY from the environment.`,
    );
  }
  const latency = Number(process.env.SLUICE_SIMULATOR_LATENCY_MS ?? 20);
  const simulator = await startSimulator({ latencyMs: Number.isFinite(latency) ? latency : 20 });
  process.env.SLUICE_LLM = 'simulated';
  process.env.SLUICE_SIMULATOR_URL = simulator.url;
  process.stderr.write(`sluice: using the built-in LLM simulator at ${simulator.url} (answers are not from a real model)\n`);
  return { simulated: true, close: () => simulator.close() };
}
