/**
 * Shared set-up for the simulator specs: a simulator per test, closed after it, and an SDK client for it.
 * @module
 */
import type { TestContext } from 'node:test';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../../../lib/llm/simulator/simulator.ts';
import type { SimulatorOptions } from '../../../lib/llm/simulator/simulator-options.ts';

/** The API key the specs send; it must never appear in the simulator's log. */
export const API_KEY = 'sk-test-SECRET';

/** Starts a simulator that the test closes when it ends. */
export async function simulatorFor(t: TestContext, options?: SimulatorOptions): Promise<Simulator> {
  const sim = await startSimulator(options);
  t.after(() => sim.close());
  return sim;
}

/** The official SDK pointed at `sim`, with its own retries off (Sluice owns retries) and its logging quiet. */
export function clientFor(sim: Simulator, options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return new OpenAI({ baseURL: sim.url, apiKey: API_KEY, maxRetries: 0, logLevel: 'off', ...options });
}

/** Posts `body` to `path` under the simulator's base URL with fetch, for exact status and header checks. */
export async function post(
  sim: Simulator,
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` },
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Waits until `check` is true, polling every 10 ms, with no deadline: the test's timeout reports a hang. */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}
