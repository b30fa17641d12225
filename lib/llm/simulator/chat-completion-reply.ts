/**
 * Builds the simulator's answer to `POST /v1/chat/completions`.
 * @module
 */
import { SluiceConfigError } from '../../core/errors.ts';
import { contentKey } from './content-key.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { simulatedLogprobs } from './simulated-logprobs.ts';
import { limitTokens } from './limit-tokens.ts';
import { messageText } from './message-text.ts';
import { requestFields } from './request-fields.ts';
import { sampleJsonSchema } from './sample-json-schema.ts';
import type { ReplyContext, SimulatedReply } from './simulated-reply.ts';
import { SimulatorRequestError } from './simulator-request-error.ts';
import { streamPieces } from './stream-pieces.ts';

/** In the last user message, asks for text that is not JSON where JSON was asked for. */
const INVALID_JSON_MARKER = '[[sim:invalid-json]]';
/** In the last user message, asks for JSON that leaves out the schema's required properties. */
const WRONG_SCHEMA_MARKER = '[[sim:wrong-schema]]';

/** A plain-text prompt that asks for a JSON list (or array) gets one, fenced, among prose. */
const JSON_LIST_ASKED = /\bJSON (?:list|array)\b/i;

/**
 * What a model writes when a plain prompt asks for a JSON list: a sentence, then the list in a
 * ```json fence. As many items as the first number from 1 to 20 in the prompt says (default 3).
 */
function jsonListText(prompt: string, model: string, topic: string, key: string): string {
  const asked = prompt.match(/\b([1-9]|1\d|20)\b/);
  const count = asked ? Number(asked[1]) : 3;
  const items = Array.from({ length: count }, (_, i) => `[sim:${model}] item ${i + 1} for: ${topic} #${key.slice(i % 56, (i % 56) + 8)}`);
  return `Here is the list you asked for:\n\n\`\`\`json\n${JSON.stringify(items, null, 2)}\n\`\`\`\n`;
}

/**
 * Builds a chat completion for `body`, deterministic in (model, messages, seed, choice index).
 *
 * - Plain text: `"[sim:<model>] answer to: <first 60 characters of the last user message> #<8 hex>"`.
 * - `response_format: { type: 'json_schema', json_schema: { schema } }`: JSON that validates against
 *   the schema (see `sampleJsonSchema`); `{ type: 'json_object' }`: `{"answer": "<text>"}`.
 * - Plain text when the last user message asks for a `JSON list` (or array): a sentence and a fenced
 *   JSON list of strings, as many as the first number from 1 to 20 in the message (default 3).
 * - `[[sim:invalid-json]]` in the last user message gives text that is not JSON;
 *   `[[sim:wrong-schema]]` gives JSON without the schema's required properties.
 * - `n` choices; `max_tokens`/`max_completion_tokens` below the answer's length cut it and say `'length'`.
 * - `stream: true` also builds the `chat.completion.chunk` events, with a final usage event when
 *   `stream_options.include_usage` is set.
 *
 * @example
 * ```ts
 * const reply = chatCompletionReply({ model: 'sim', messages: [{ role: 'user', content: 'Hi' }] }, context);
 * reply.body.choices; // [{ index: 0, message: { role: 'assistant', content: '[sim:sim] answer to: Hi #…' }, … }]
 * ```
 */
export function chatCompletionReply(body: Record<string, unknown>, context: ReplyContext): SimulatedReply {
  const { model, n, maxTokens, stream, includeUsage, seed } = requestFields(body);
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new SimulatorRequestError(`Invalid 'messages': expected a non-empty array of messages.`, 'messages');
  }
  const texts: string[] = [];
  let lastUser: string | undefined;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || typeof (message as { role?: unknown }).role !== 'string') {
      throw new SimulatorRequestError(`Invalid 'messages': each message must be an object with a 'role'.`, 'messages');
    }
    const text = messageText((message as { content?: unknown }).content);
    texts.push(text);
    if ((message as { role: string }).role === 'user') lastUser = text;
  }
  // No user message (a system prompt alone, say): answer the last message instead.
  const prompt = lastUser ?? texts[texts.length - 1] ?? '';
  const promptTokens = estimateTokens(texts.join('\n'));
  const topic = prompt.replaceAll(INVALID_JSON_MARKER, '').replaceAll(WRONG_SCHEMA_MARKER, '').replace(/\s+/g, ' ').trim().slice(0, 60);
  const format = responseFormat(body.response_format);

  const choices: Record<string, unknown>[] = [];
  const answers: { text: string; finishReason: string }[] = [];
  let completionTokens = 0;
  for (let index = 0; index < n; index++) {
    const key = contentKey(['chat', model, messages, seed, index]);
    const plain = `[sim:${model}] answer to: ${topic} #${key.slice(0, 8)}`;
    let content: string;
    if (format.type !== 'text' && prompt.includes(INVALID_JSON_MARKER)) {
      content = `Sure! Here is the JSON you asked for: {"answer": ${topic}`;
    } else if (format.type === 'json_schema') {
      content = JSON.stringify(sampleSchema(format.schema, key, topic, prompt.includes(WRONG_SCHEMA_MARKER)));
    } else if (format.type === 'json_object') {
      content = JSON.stringify({ answer: plain });
    } else {
      content = JSON_LIST_ASKED.test(prompt) ? jsonListText(prompt, model, topic, key) : plain;
    }
    const limited = limitTokens(content, maxTokens);
    completionTokens += limited.tokens;
    answers.push({ text: limited.text, finishReason: limited.finishReason });
    const logprobs = body.logprobs === true ? simulatedLogprobs(limited.text, key) : undefined;
    choices.push({
      index,
      message: { role: 'assistant', content: limited.text, refusal: null, annotations: [] },
      logprobs: logprobs
        ? {
            content: logprobs.tokens.map((token, i) => ({ token, logprob: logprobs.logprobs[i]!, bytes: [...Buffer.from(token)], top_logprobs: [] })),
            refusal: null,
          }
        : null,
      finish_reason: limited.finishReason,
    });
  }

  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const reply: SimulatedReply = {
    model,
    body: {
      id: context.id,
      object: 'chat.completion',
      created: context.created,
      model,
      choices,
      usage,
      service_tier: 'default',
      system_fingerprint: 'sluice-simulator',
    },
    promptTokens,
    completionTokens,
  };
  if (!stream) return reply;

  const chunkHead = {
    id: context.id,
    object: 'chat.completion.chunk',
    created: context.created,
    model,
    service_tier: 'default',
    system_fingerprint: 'sluice-simulator',
  };
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (index: number, delta: Record<string, unknown>, finishReason: string | null) => ({
    ...chunkHead,
    choices: [{ index, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  });
  const events: Record<string, unknown>[] = [];
  answers.forEach(({ text, finishReason }, index) => {
    events.push(chunk(index, { role: 'assistant', content: '', refusal: null }, null));
    for (const piece of streamPieces(text)) events.push(chunk(index, { content: piece }, null));
    events.push(chunk(index, {}, finishReason));
  });
  if (includeUsage) events.push({ ...chunkHead, choices: [], usage });
  return { ...reply, events };
}

type Format = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: unknown };

function responseFormat(value: unknown): Format {
  if (value === undefined || value === null) return { type: 'text' };
  const type = typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  if (type === 'text' || type === 'json_object') return { type };
  if (type === 'json_schema') {
    const spec = (value as { json_schema?: unknown }).json_schema;
    if (typeof spec !== 'object' || spec === null) {
      throw new SimulatorRequestError(`Missing required parameter: 'response_format.json_schema'.`, 'response_format.json_schema');
    }
    return { type, schema: (spec as { schema?: unknown }).schema ?? {} };
  }
  throw new SimulatorRequestError(`Invalid 'response_format.type': expected 'text', 'json_object' or 'json_schema'.`, 'response_format.type');
}

function sampleSchema(schema: unknown, key: string, topic: string, omitRequired: boolean): unknown {
  try {
    return sampleJsonSchema(schema, { key, topic: topic || 'the prompt', omitRequired });
  } catch (error) {
    if (error instanceof SluiceConfigError) {
      throw new SimulatorRequestError(`Invalid schema for response_format: ${error.message}`, 'response_format', { cause: error });
    }
    throw error;
  }
}
