/**
 * The simulator's public surface, for a `sluice/simulator` subpath export or `lib/index.ts` to re-export.
 * @module
 */
export { startSimulator } from './simulator.ts';
export type { Simulator, SimulatorLogEntry, SimulatorStats } from './simulator.ts';
export { resolveSimulatorOptions } from './simulator-options.ts';
export type { FaultRequest, ResolvedSimulatorOptions, SimulatorOptions, SimulatorSettings } from './simulator-options.ts';
export { FAULT_NAMES, pickFault } from './pick-fault.ts';
export type { FaultName, FaultRates } from './pick-fault.ts';
export { sampleJsonSchema } from './sample-json-schema.ts';
export type { SampleJsonSchemaOptions } from './sample-json-schema.ts';
export { simulatedEmbedding } from './simulated-embedding.ts';
export { estimateTokens } from './estimate-tokens.ts';
export { RateLimitWindow } from './rate-limit-window.ts';
export type { RateLimits, RateLimitVerdict } from './rate-limit-window.ts';
export { formatResetDuration } from './format-reset-duration.ts';
export { SimulatorRequestError } from './simulator-request-error.ts';
