/**
 * Decides which fault, if any, the simulator injects into a request.
 * @module
 */
import { deterministicUnit } from './deterministic-unit.ts';

/**
 * A fault the simulator can inject:
 * - `'429'`, `'500'`, `'503'`: that status, in OpenAI's error format (a 429 carries `retry-after`);
 * - `'reset'`: the socket is reset before any byte of the answer is sent;
 * - `'hang'`: no answer at all, until the client gives up;
 * - `'malformed'`: a 200 whose body is not valid JSON (or, when streaming, an event that is not);
 * - `'truncated'`: streaming stops midway without `[DONE]`; otherwise half a body, then the socket closes.
 */
export type FaultName = '429' | '500' | '503' | 'reset' | 'hang' | 'malformed' | 'truncated';

/** Every fault, in the order `pickFault` lays their rates along [0, 1). */
export const FAULT_NAMES: readonly FaultName[] = ['429', '500', '503', 'reset', 'hang', 'malformed', 'truncated'];

/** The chance (0..1) of each fault per request. Absent means 0. */
export type FaultRates = Partial<Record<FaultName, number>>;

/**
 * Draws the fault for request `n` from `rates`, deterministically from `seed` and `n`:
 * the same seed and counter always give the same fault, so a test that fails can be rerun as it was.
 * The rates are laid end to end along [0, 1) and one draw picks the slice, so they must add up to at most 1.
 *
 * @example
 * ```ts
 * pickFault(3, 42, { '429': 0.2, reset: 0.05 }); // '429', 'reset' or undefined, always the same for (3, 42)
 * ```
 */
export function pickFault(n: number, seed: number, rates: FaultRates): FaultName | undefined {
  const u = deterministicUnit(seed, n, 'fault');
  let edge = 0;
  for (const name of FAULT_NAMES) {
    const rate = rates[name] ?? 0;
    if (rate <= 0) continue;
    edge += rate;
    if (u < edge) return name;
  }
  return undefined;
}
