/**
 * The typed event stream of a run. Subscribe through `RunHandle.events` or `run({ onEvent })`.
 * @module
 */
export type SluiceEvent =
  | { readonly type: 'row-failed'; readonly step: string; readonly id: string; readonly code: string }
  | { readonly type: 'step-done'; readonly step: string }
  | { readonly type: 'llm'; readonly llm: string; readonly event: string; readonly detail?: Readonly<Record<string, unknown>> }
  | { readonly type: 'cache'; readonly step: string; readonly hit: boolean }
  | { readonly type: 'run-stopping'; readonly reason: string };
