/**
 * Token log-probabilities for a simulated answer, when a request asks for them: the answer cut into
 * the simulator's tokens (four characters each), each with a log-probability from -3 to 0 that
 * depends only on the answer's key and the token's place, so that equal requests get equal figures.
 * @module
 */
import { createHash } from 'node:crypto';

export interface SimulatedLogprobs {
  readonly tokens: string[];
  readonly logprobs: number[];
}

export function simulatedLogprobs(text: string, key: string): SimulatedLogprobs {
  const tokens: string[] = [];
  for (let at = 0; at < text.length; at += 4) tokens.push(text.slice(at, at + 4));
  const logprobs = tokens.map((_, i) => -(createHash('sha256').update(`${key}\0${i}`).digest().readUInt16BE(0) % 3000) / 1000);
  return { tokens, logprobs };
}
