/**
 * `magpie`: instructions (and conversations) drawn from an aligned model with no seed at all, as in
 * Magpie (Xu et al., 2024, "Magpie: Alignment Data Synthesis from Scratch by Prompting Aligned LLMs
 * with Nothing"): the completions endpoint is sent only the chat template's opening of a user turn
 * (the *pre-query template*), and the model writes the user's message itself; then the assistant's
 * opening, and it answers. Each row is its own sample (its id seeds the request), so a thousand
 * rows give a thousand different instructions, and a rerun gives the same ones from the cache.
 *
 * Templates (pre-query of a user turn, then of an assistant turn; a turn ends at the end token):
 * - `llama3`: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n` … `<|eot_id|>`
 * - `qwen2`: `<|im_start|>user\n` … `<|im_end|>\n`
 * @module
 */
import { checkPositiveInt } from '../core/define-step.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { cachedCall } from '../llm/cached-call.ts';
import { llmStep, withSample } from '../llm/llm-step.ts';
import { responseMetadata } from '../llm/response-metadata.ts';
import { REPLY, spreadReply } from './spread-reply.ts';
import { type TaskOptions, taskParams } from './structured-task.ts';

interface ChatFormat {
  readonly begin: string;
  system(text: string): string;
  readonly user: string;
  readonly assistant: string;
  /** Ends a turn; also the stop sequence. */
  readonly end: string;
}

export const MAGPIE_TEMPLATES: Readonly<Record<'llama3' | 'qwen2', ChatFormat>> = {
  llama3: {
    begin: '<|begin_of_text|>',
    system: (text) => `<|start_header_id|>system<|end_header_id|>\n\n${text}<|eot_id|>`,
    user: '<|start_header_id|>user<|end_header_id|>\n\n',
    assistant: '<|start_header_id|>assistant<|end_header_id|>\n\n',
    end: '<|eot_id|>',
  },
  qwen2: {
    begin: '',
    system: (text) => `<|im_start|>system\n${text}<|im_end|>\n`,
    user: '<|im_start|>user\n',
    assistant: '<|im_start|>assistant\n',
    end: '<|im_end|>\n',
  },
};

export type MagpieTemplate = keyof typeof MAGPIE_TEMPLATES;

export interface MagpieOptions extends TaskOptions {
  /** The chat format of the model. */
  template: MagpieTemplate;
  /** User turns per conversation. Default 1. */
  turns?: number;
  /** Also draw the assistant's answers. Default true. */
  responses?: boolean;
  /** A system message, to steer the kind of instructions (a domain, a persona). */
  system?: string;
}

export interface MagpieColumns {
  /** The first user message. */
  instruction: string;
  /** The first answer (`null` with `responses: false`). */
  response: string | null;
  /** Every turn, in order. */
  conversation: { role: 'user' | 'assistant'; content: string }[];
}

/**
 * @example
 * pipeline('magpie').from(fromIterable(Array.from({ length: 1000 }, (_, i) => ({ i })))).pipe(magpie({ llm: base, template: 'llama3' }))
 */
export function magpie<R>(options: MagpieOptions): Step<R, Adds<MagpieColumns>> {
  const format = MAGPIE_TEMPLATES[options.template];
  if (!format || !Object.hasOwn(MAGPIE_TEMPLATES, options.template)) {
    throw new SluiceConfigError(`Expected \`template\` to be one of ${Object.keys(MAGPIE_TEMPLATES).join(', ')}, got \`${String(options.template)}\``);
  }
  const turns = checkPositiveInt('turns', options.turns ?? 1, false);
  const responses = options.responses ?? true;
  const params = { ...options.params };
  const cut = (text: string) => {
    const at = text.indexOf(format.end.trim());
    return (at >= 0 ? text.slice(0, at) : text).trim();
  };
  const inner = llmStep({
    kind: 'magpie',
    options: { ...options, as: REPLY, sample: 'row' },
    defaultAs: REPLY,
    variables: [],
    params: {},
    async work(_row, call, ctx) {
      let prompt = format.begin + (options.system ? format.system(options.system) : '');
      const conversation: MagpieColumns['conversation'] = [];
      let metadata: Record<string, unknown> = {};
      let attempts = 0;
      const ask = async (opening: string, role: 'user' | 'assistant') => {
        prompt += opening;
        // The turn's place in the conversation is part of its sample: the same row draws a new turn each time.
        const sample = `${call.sample}#${conversation.length}`;
        const request = withSample({ prompt, stop: [format.end.trim()], ...params }, { sample } as typeof call);
        const result = await cachedCall(ctx, options.llm, 'complete', request, { enabled: true, sample }, () =>
          options.llm.complete(request as never, call.options),
        );
        attempts += result.attempts;
        metadata = { ...responseMetadata(result, result.response), attempts };
        const content = cut(result.response.choices[0]?.text ?? '');
        conversation.push({ role, content });
        prompt += content + format.end;
      };
      for (let turn = 0; turn < turns; turn++) {
        await ask(format.user, 'user');
        if (responses) await ask(format.assistant, 'assistant');
      }
      return { values: [conversation], shape: 'single', metadata };
    },
  });
  return spreadReply(inner, {
    kind: 'magpie',
    named: options.name !== undefined,
    params: taskParams(options, { template: options.template, turns, responses, system: options.system ?? null }),
    adds: ['instruction', 'response', 'conversation'],
    spread: (reply) => {
      const conversation = reply as MagpieColumns['conversation'];
      return {
        instruction: conversation.find((turn) => turn.role === 'user')?.content ?? '',
        response: conversation.find((turn) => turn.role === 'assistant')?.content ?? null,
        conversation,
      };
    },
  });
}
