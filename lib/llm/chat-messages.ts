/**
 * Builds chat messages from templates: a system prompt, few-shot pairs, and the user prompt.
 * @module
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { SluiceConfigError } from '../core/errors.ts';
import { promptTemplate, type PromptTemplate } from './prompt-template.ts';

export interface FewShot {
  user: string;
  assistant: string;
}

export interface ChatTemplate {
  readonly variables: readonly string[];
  /** The templates as written, for parameters and saving. */
  readonly params: { prompt: string; system: string | null; fewShot: readonly FewShot[] };
  render(row: Readonly<Record<string, unknown>>): ChatCompletionMessageParam[];
}

export function chatTemplate(prompt: string, system?: string, fewShot: readonly FewShot[] = []): ChatTemplate {
  if (!Array.isArray(fewShot) || fewShot.some((s) => typeof s?.user !== 'string' || typeof s?.assistant !== 'string')) {
    throw new SluiceConfigError('Expected `fewShot` to be a list of `{ user, assistant }` string pairs.');
  }
  const user: PromptTemplate = promptTemplate(prompt, 'prompt');
  const sys = system !== undefined ? promptTemplate(system, 'system') : undefined;
  return {
    variables: [...new Set([...(sys?.variables ?? []), ...user.variables])],
    params: { prompt, system: system ?? null, fewShot },
    render(row) {
      const messages: ChatCompletionMessageParam[] = [];
      if (sys) messages.push({ role: 'system', content: sys.render(row) });
      for (const shot of fewShot) {
        messages.push({ role: 'user', content: shot.user }, { role: 'assistant', content: shot.assistant });
      }
      messages.push({ role: 'user', content: user.render(row) });
      return messages;
    },
  };
}
