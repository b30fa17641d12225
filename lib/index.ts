/**
 * Sluice: streaming LLM data pipelines on RxJS. Public exports only.
 *
 * Deliberately not exported (they are the engine's, and may change in any release):
 * - the row envelope and its permit (`Envelope`, `Permit`): user functions get the row and
 *   `{ id, signal }`; steps written with `defineStep` see envelopes only through `StepContext`;
 * - the permit budget (`Budget`): `RunHandle.live.budget` shows its counts;
 * - the engine's plug-in points (`startRun`, its `deliver` and `services`, `RunServices`): the
 *   pipeline's `run()`/`start()` and the adapters in `serve/` are the ways to run one;
 * - the bounded-concurrency engine (`BoundedWork`): build steps from `map`, `batch` or `defineStep`.
 * @module
 */
// Core
export * from './core/errors.ts';
export type { SluiceErrorCode } from './core/error-codes.ts';
export type { RowInfo } from './core/row-info.ts';
export type { Row, Simplify } from './core/row.ts';
export { pipeline, Pipeline } from './pipeline/pipeline.ts';
export { chain, Chain } from './core/chain.ts';
export { defineStep, type StepParts } from './core/define-step.ts';
export { withMappings, type Mappings } from './core/with-mappings.ts';
export type { Step, StepContext, StepInfo, StepOptions, ErrorPolicy, Adds, Next, AnyStep } from './core/step.ts';
export type { RunOptions, RunHandle } from './core/run-options.ts';
export type { RunSummary, RunStatus } from './core/summary.ts';
export type { StepStats } from './core/step-stats.ts';
export type { SluiceEvent } from './core/events.ts';

// Operators
export { map, type MapOptions } from './operators/map.ts';
export { parseJson, JsonNotFoundError, type ParseJsonOptions } from './operators/parse-json.ts';
export { filter } from './operators/filter.ts';
export { scatter, type ScatterOptions } from './operators/scatter.ts';
export { broadcast, type Branch, type Branches } from './operators/broadcast.ts';
export { route, type Choice, type WhenOptions, type SampleOptions } from './operators/route.ts';
export { join, combine, type JoinOptions, type CombineSpec } from './operators/join.ts';
export { aggregate, type AggregateOptions, type Group, type KeyedGroup } from './operators/aggregate.ts';
export { batch, type BatchOptions } from './operators/batch.ts';
export type { BatchInfo } from './operators/batch-step.ts';

// Sources
export type { Source, SourceItem } from './core/source.ts';
export { ndjsonFile } from './sources/ndjson-file.ts';
export { ndjsonReadable } from './sources/ndjson-readable.ts';
export { ndjsonStdin } from './sources/ndjson-stdin.ts';
export { jsonArrayFile } from './sources/json-array-file.ts';
export { csvFile, type CsvFileOptions } from './sources/csv-file.ts';
export { parquetFile, type ParquetFileOptions } from './sources/parquet-file.ts';
export { fromIterable } from './sources/iterable.ts';
export { ndjsonLines } from './sources/ndjson-lines.ts';

// Sinks
export type { Sink } from './core/sink.ts';
export { toNdjsonFile } from './sinks/ndjson-file.ts';
export { toNdjsonDir } from './sinks/ndjson-dir.ts';
export { toCsvFile, type ToCsvFileOptions } from './sinks/csv-file.ts';
export { toJsonArrayFile } from './sinks/json-array-file.ts';
export { toParquetFile, type ToParquetFileOptions } from './sinks/parquet-file.ts';
export { toStdout } from './sinks/ndjson-stdout.ts';
export { toFailedFile } from './sinks/failed-rows.ts';
export type { FailedRow } from './core/failed-row.ts';
export { toMemory, type MemorySink } from './sinks/memory.ts';

// Formats: a source or sink for a path, in the format its extension names
export { sourceFor, type SourceForOptions } from './formats/source-for.ts';
export { sinkFor, type SinkForOptions } from './formats/sink-for.ts';
export { formatOf, FORMATS, type FormatName } from './formats/format-of.ts';

// Experiments for a parameter search: a grid, or seeded draws
export { type Experiment, parameterGrid, type ParameterGridOptions } from './sources/parameter-grid.ts';
export { contentIds } from './sources/content-ids.ts';
export { keptRows, type KeptRowsOptions } from './sources/kept-rows.ts';
export { writeRows } from './formats/write-rows.ts';
export { keep } from './core/keep.ts';
export { type NestedPipeline, pipelineStep } from './operators/pipeline-step.ts';
export { quiet } from './core/quiet.ts';

// Near-duplicate rows dropped, by text (MinHash) or by embedding (cosine)
export { dedup, type DedupOptions } from './operators/dedup.ts';

// Redis streams: a source read through a consumer group, and a sink
export { redisStream, type RedisStreamOptions } from './broker/redis-stream-source.ts';
export { toRedisStream, type ToRedisStreamOptions } from './broker/redis-stream-sink.ts';

// Runs with workers on other machines: the coordinator's pipeline, and the worker's loop
export { withWorkers, type WithWorkersOptions } from './workers/with-workers.ts';
export { runWorker, type WorkerOptions, type WorkerSummary } from './workers/run-worker.ts';

// CPU-bound steps on worker threads
export { threadMap, type ThreadMapOptions } from './workers/thread-map.ts';
export { threadBatch, type ThreadBatchOptions } from './workers/thread-batch.ts';

// The Hugging Face Hub: datasets in (hf://datasets/…), dataset folders with a card, and pushes
export { hubDataset, type HubDatasetOptions } from './hub/hub-dataset.ts';
export { toDatasetFolder, type DatasetFolderOptions } from './hub/dataset-folder.ts';
export { toHubDataset, type HubDatasetSink, type HubDatasetSinkOptions } from './hub/hub-dataset-sink.ts';
export { writeDatasetCard, type DatasetCardOptions } from './hub/dataset-card.ts';
export { pushDataset, type PushDatasetOptions, type PushedDataset } from './hub/push-dataset.ts';
export { HubError } from './hub/hub-error.ts';

// Embedding
export { toObservable } from './serve/to-observable.ts';
export { toAsyncIterable, type PullingIterable } from './serve/to-async-iterable.ts';
export { toNodeTransform, type TransformOptions } from './serve/to-node-transform.ts';
export { toWebTransform } from './serve/to-web-transform.ts';
export { toHttpHandler, type HttpHandlerOptions } from './serve/to-http-handler.ts';
