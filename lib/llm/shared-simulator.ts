/**
 * The simulator that LLMs use under `SLUICE_LLM=simulated`: one per process, started on first use
 * and stopped when the last LLM using it closes. The CLI's `--llm simulated` starts its own and
 * names it in `SLUICE_SIMULATOR_URL`; then that one is used.
 * @module
 */
import type { Simulator } from './simulator/simulator.ts';

/** What an LLM under simulated mode names as its endpoint, in cache keys and metadata. */
export const SIMULATED_ENDPOINT = 'sluice-simulator';

let users = 0;
let starting: Promise<Simulator> | undefined;

/** True when `SLUICE_LLM=simulated` asks every LLM without an explicit `baseURL` to use the simulator. */
export function simulatedMode(): boolean {
  return process.env.SLUICE_LLM === 'simulated';
}

/** The base URL of the shared simulator, starting it if need be. Pair each call with `releaseSimulator()`. */
export async function acquireSimulator(): Promise<string> {
  const given = process.env.SLUICE_SIMULATOR_URL;
  if (given) return given;
  users++;
  starting ??= import('./simulator/simulator.ts').then(({ startSimulator }) => {
    const latency = Number(process.env.SLUICE_SIMULATOR_LATENCY_MS ?? 20);
    return startSimulator({ latencyMs: Number.isFinite(latency) ? latency : 20 });
  });
  return (await starting).url;
}

/** Stops the shared simulator once no LLM uses it. */
export async function releaseSimulator(): Promise<void> {
  if (process.env.SLUICE_SIMULATOR_URL || users === 0) return;
  users--;
  if (users > 0 || !starting) return;
  const simulator = starting;
  starting = undefined;
  await (await simulator).close();
}
