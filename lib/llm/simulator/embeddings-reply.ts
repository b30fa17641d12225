/**
 * Builds the simulator's answer to `POST /v1/embeddings`.
 * @module
 */
import { estimateTokens } from './estimate-tokens.ts';
import type { ReplyContext, SimulatedReply } from './simulated-reply.ts';
import { simulatedEmbedding } from './simulated-embedding.ts';
import { SimulatorRequestError } from './simulator-request-error.ts';

/**
 * Builds an embeddings list for `body`: one unit-length vector per input (a string, strings, or
 * token arrays), of `dimensions` floats (the request's, else the simulator's default), from a hash
 * of the input. `encoding_format: 'base64'` (what the `openai` SDK asks for by default) gives
 * little-endian float32 in base64.
 *
 * @example
 * ```ts
 * embeddingsReply({ model: 'sim-embed', input: ['a', 'b'], dimensions: 4 }, context).body.data.length; // 2
 * ```
 */
export function embeddingsReply(body: Record<string, unknown>, context: ReplyContext): SimulatedReply {
  const { model, input, dimensions = context.embeddingDimensions, encoding_format: encoding = 'float' } = body;
  if (typeof model !== 'string' || model === '') throw new SimulatorRequestError('you must provide a model parameter', 'model');
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 8192) {
    throw new SimulatorRequestError(`Invalid 'dimensions': expected an integer from 1 to 8192, got ${JSON.stringify(dimensions)}.`, 'dimensions');
  }
  if (encoding !== 'float' && encoding !== 'base64') {
    throw new SimulatorRequestError(`Invalid 'encoding_format': expected 'float' or 'base64'.`, 'encoding_format');
  }
  const inputs = inputsOf(input);
  let promptTokens = 0;
  const data = inputs.map((text, index) => {
    promptTokens += estimateTokens(text);
    const vector = simulatedEmbedding(text, dimensions);
    return { object: 'embedding', index, embedding: encoding === 'base64' ? toBase64(vector) : vector };
  });
  return {
    model,
    body: { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    promptTokens,
    completionTokens: 0,
  };
}

function inputsOf(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
    if (input.every((item) => typeof item === 'string')) return input as string[];
    if (input.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number'))) {
      return (input as number[][]).map((tokens) => tokens.join(' '));
    }
  }
  throw new SimulatorRequestError(`Invalid 'input': expected a string, an array of strings, or token arrays.`, 'input');
}

function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => {
    bytes.writeFloatLE(value, i * 4);
  });
  return bytes.toString('base64');
}
