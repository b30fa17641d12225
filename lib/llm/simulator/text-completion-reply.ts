/**
 * Builds the simulator's answer to the legacy `POST /v1/completions`.
 * @module
 */
import { contentKey } from './content-key.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { simulatedLogprobs } from './simulated-logprobs.ts';
import { limitTokens } from './limit-tokens.ts';
import { requestFields } from './request-fields.ts';
import type { ReplyContext, SimulatedReply } from './simulated-reply.ts';
import { SimulatorRequestError } from './simulator-request-error.ts';
import { streamPieces } from './stream-pieces.ts';

/**
 * Builds a legacy text completion for `body`, deterministic in (model, prompt, seed, choice index):
 * `"[sim:<model>] continuation of: <last 60 characters of the prompt> #<8 hex>"`.
 *
 * `prompt` may be a string, an array of strings, or token arrays (read as their numbers); each
 * prompt gets `n` choices, indexed `prompt * n + choice` as OpenAI does. `echo` puts the prompt first;
 * `max_tokens` cuts and says `'length'` (unlike OpenAI there is no default of 16);
 * `stream: true` also builds `text_completion` events.
 *
 * @example
 * ```ts
 * textCompletionReply({ model: 'sim', prompt: ['a', 'b'], n: 2 }, context).body.choices.length; // 4
 * ```
 */
export function textCompletionReply(body: Record<string, unknown>, context: ReplyContext): SimulatedReply {
  const { model, n, maxTokens, stream, includeUsage, seed } = requestFields(body);
  const prompts = promptsOf(body.prompt);
  const echo = body.echo === true;

  type Logprobs = { tokens: string[]; token_logprobs: number[]; top_logprobs: Record<string, number>[]; text_offset: number[] };
  const choices: { text: string; index: number; logprobs: Logprobs | null; finish_reason: string }[] = [];
  // The legacy API asks with a number (how many alternatives per token), 0 included.
  const wantsLogprobs = typeof body.logprobs === 'number';
  let promptTokens = 0;
  let completionTokens = 0;
  prompts.forEach((prompt, p) => {
    promptTokens += estimateTokens(prompt);
    const tail = prompt.replace(/\s+/g, ' ').trim().slice(-60);
    for (let i = 0; i < n; i++) {
      const key = contentKey(['completion', model, prompt, seed, i]);
      const limited = limitTokens(`[sim:${model}] continuation of: ${tail} #${key.slice(0, 8)}`, maxTokens);
      completionTokens += limited.tokens;
      let logprobs: Logprobs | null = null;
      if (wantsLogprobs) {
        const simulated = simulatedLogprobs(limited.text, key);
        logprobs = {
          tokens: simulated.tokens,
          token_logprobs: simulated.logprobs,
          top_logprobs: simulated.tokens.map((token, t) => ({ [token]: simulated.logprobs[t]! })),
          text_offset: simulated.tokens.map((_, t) => (echo ? prompt.length : 0) + t * 4),
        };
      }
      choices.push({ text: echo ? prompt + limited.text : limited.text, index: p * n + i, logprobs, finish_reason: limited.finishReason });
    }
  });

  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const head = { id: context.id, object: 'text_completion', created: context.created, model, system_fingerprint: 'sluice-simulator' };
  const reply: SimulatedReply = { model, body: { ...head, choices, usage }, promptTokens, completionTokens };
  if (!stream) return reply;

  const extra = includeUsage ? { usage: null } : {};
  const events: Record<string, unknown>[] = [];
  for (const choice of choices) {
    for (const piece of streamPieces(choice.text)) {
      events.push({ ...head, choices: [{ text: piece, index: choice.index, logprobs: null, finish_reason: null }], ...extra });
    }
    events.push({ ...head, choices: [{ text: '', index: choice.index, logprobs: null, finish_reason: choice.finish_reason }], ...extra });
  }
  if (includeUsage) events.push({ ...head, choices: [], usage });
  return { ...reply, events };
}

function promptsOf(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (Array.isArray(prompt) && prompt.length > 0) {
    // One token array is one prompt; an array of strings or of token arrays is several.
    if (prompt.every((item) => typeof item === 'number')) return [prompt.join(' ')];
    if (prompt.every((item) => typeof item === 'string')) return prompt as string[];
    if (prompt.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number'))) {
      return (prompt as number[][]).map((tokens) => tokens.join(' '));
    }
  }
  throw new SimulatorRequestError(`Invalid 'prompt': expected a string, an array of strings, or token arrays.`, 'prompt');
}
