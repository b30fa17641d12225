export * from './core/errors.ts';
export type { Row, Simplify } from './core/row.ts';
export type { Source, SourceItem } from './sources/source.ts';
export type { Sink } from './sinks/sink.ts';
