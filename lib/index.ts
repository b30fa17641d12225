/**
 * Sluice: streaming LLM data pipelines on RxJS. Public exports only.
 * @module
 */
// Core
export * from './core/errors.ts';
export type { Row, Simplify } from './core/row.ts';
export { pipeline, Pipeline } from './core/pipeline.ts';
export { chain, Chain } from './core/chain.ts';
export { defineStep, type StepParts } from './core/define-step.ts';
export { withMappings, type Mappings } from './core/with-mappings.ts';
export type { Step, StepContext, StepInfo, StepOptions, ErrorPolicy, Adds, Next, AnyStep } from './core/step.ts';
export type { Envelope } from './core/envelope.ts';
export type { RunOptions, RunHandle } from './core/run.ts';
export type { RunSummary, RunStatus } from './core/summary.ts';
export type { StepStats } from './core/step-stats.ts';
export type { SluiceEvent } from './core/events.ts';
export { Budget } from './core/budget.ts';

// Operators
export { map, type MapOptions, type RowInfo } from './operators/map.ts';
export { parseJson, JsonNotFoundError, type ParseJsonOptions } from './operators/parse-json.ts';
export { filter } from './operators/filter.ts';
export { scatter, type ScatterOptions } from './operators/scatter.ts';
export { broadcast, type Branch, type Branches } from './operators/broadcast.ts';
export { route, type Choice, type WhenOptions, type SampleOptions } from './operators/route.ts';
export { join, combine, type JoinOptions, type CombineSpec } from './operators/join.ts';
export { aggregate, type AggregateOptions, type Group, type KeyedGroup } from './operators/aggregate.ts';
export { batch, type BatchOptions, type BatchInfo } from './operators/batch.ts';

// Sources
export type { Source, SourceItem } from './sources/source.ts';
export { ndjsonFile } from './sources/ndjson-file.ts';
export { ndjsonReadable } from './sources/ndjson-readable.ts';
export { ndjsonStdin } from './sources/ndjson-stdin.ts';
export { jsonArrayFile } from './sources/json-array-file.ts';
export { fromIterable } from './sources/iterable.ts';
export { ndjsonLines } from './sources/ndjson-lines.ts';

// Sinks
export type { Sink } from './sinks/sink.ts';
export { toNdjsonFile } from './sinks/ndjson-file.ts';
export { toNdjsonDir } from './sinks/ndjson-dir.ts';
export { toStdout } from './sinks/ndjson-stdout.ts';
export { toFailedFile, type FailedRow } from './sinks/failed-rows.ts';
export { toMemory, type MemorySink } from './sinks/memory.ts';

// Embedding
export { toObservable } from './serve/to-observable.ts';
export { toAsyncIterable, type PullingIterable } from './serve/to-async-iterable.ts';
export { toNodeTransform, type TransformOptions } from './serve/to-node-transform.ts';
export { toWebTransform } from './serve/to-web-transform.ts';
export { toHttpHandler, type HttpHandlerOptions } from './serve/to-http-handler.ts';
