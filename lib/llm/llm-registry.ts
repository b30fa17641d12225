/**
 * The run's LLMs, kept in the run's services so the summary can report each one's usage and cost,
 * and their events reach the run's event stream.
 * @module
 */
import type { StepContext } from '../core/step.ts';
import type { Llm } from './client.ts';
import type { UsageSnapshot } from './usage.ts';

export class LlmRegistry {
  readonly #llms = new Map<string, Llm>();
  readonly #simulated = new Set<string>();

  add(llm: Llm, ctx: StepContext): void {
    if (this.#llms.has(llm.name)) return;
    this.#llms.set(llm.name, llm);
    // Forward only when someone listens to the run's events: an observed Subject makes the
    // client build an event object per request.
    if (!ctx.events.observed) return;
    const forwarding = llm.events.subscribe((event) => {
      ctx.events.next({ type: 'llm', llm: llm.name, event: event.type, detail: event as unknown as Record<string, unknown> });
    });
    ctx.events.subscribe({ complete: () => forwarding.unsubscribe() });
  }

  /** Notes that an LLM answered from the built-in simulator, so the summary says so. */
  markSimulated(name: string): void {
    this.#simulated.add(name);
  }

  snapshot(): Record<string, UsageSnapshot & { simulated?: true }> {
    const out: Record<string, UsageSnapshot & { simulated?: true }> = {};
    for (const [name, llm] of this.#llms) {
      out[name] = { ...llm.usage.snapshot(), ...(this.#simulated.has(name) ? { simulated: true as const } : {}) };
    }
    return out;
  }

  /** The run's registry, made on first use. */
  static of(ctx: StepContext): LlmRegistry {
    let registry = ctx.services.get('llm') as LlmRegistry | undefined;
    if (!registry) {
      registry = new LlmRegistry();
      ctx.services.set('llm', registry);
    }
    return registry;
  }
}
