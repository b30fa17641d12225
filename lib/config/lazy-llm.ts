/**
 * `lazyLlm`: an LLM that creates its client on first use, so that a definition can be loaded,
 * validated and drawn (`sluice validate`, `sluice graph`) with no endpoint configured.
 * @module
 */
import { Subject } from 'rxjs';
import { createLlm, type Llm, type LlmEvent, type LlmOptions } from '../llm/client.ts';
import { Usage } from '../llm/usage.ts';

/**
 * Returns an `Llm` whose name, model, params and options are known at once, and whose client
 * is created by the first `chat`, `complete`, `embed` or `rateLimiter` access. Creation errors
 * (such as `SLUICE_LLM_NOT_CONFIGURED`) surface there. Until then `usage` is empty.
 * @example
 * const llm = lazyLlm({ model: 'gpt-4o-mini' }); // no error without OPENAI_* set
 * await llm.chat({ messages }); // creates the client (and throws if nothing is configured)
 */
export function lazyLlm(options: LlmOptions): Llm {
  const name = options.name ?? options.model;
  const events = new Subject<LlmEvent>();
  const idle = new Usage({ llm: name, model: options.model });
  const { apiKey: _apiKey, ...publicOptions } = options;
  let real: Llm | undefined;
  let closed = false;
  const client = (): Llm => {
    if (!real) {
      real = createLlm(options);
      real.events.subscribe(events);
      if (closed) void real.close();
    }
    return real;
  };
  return {
    name,
    get endpoint() {
      return client().endpoint;
    },
    model: options.model,
    params: Object.freeze({ ...options.params }),
    options: Object.freeze(publicOptions),
    events,
    get usage() {
      return real ? real.usage : idle;
    },
    get rateLimiter() {
      return client().rateLimiter;
    },
    // Async, so that a client that cannot be made rejects the call instead of throwing.
    chat: async (request, callOptions) => client().chat(request, callOptions),
    complete: async (request, callOptions) => client().complete(request, callOptions),
    embed: async (request, callOptions) => client().embed(request, callOptions),
    batchApi: () => client().batchApi!(),
    async close() {
      closed = true;
      if (real) await real.close();
      else events.complete();
    },
  };
}
