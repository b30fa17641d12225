/**
 * `sluice/config`: pipelines as YAML or JSON definitions. Load (`loadDefinition`), save
 * (`savePipeline`, `pipeline.save`), change params (`withParams`), and register step kinds
 * (`stepRegistry`). A separate entry point so that the core does not load `yaml`.
 * @module
 */
export { loadDefinition, type LoadDefinitionOptions } from './load-definition.ts';
export { parseDefinition, type ParseDefinitionOptions } from './parse-definition.ts';
export { definitionOf, savePipeline, type DefinitionData, type DefinitionOfOptions } from './save-definition.ts';
export { withParams, type WithParamsOptions } from './with-params.ts';
export { StepRegistry, stepRegistry } from './step-registry.ts';
export type { BuildContext, SaveContext, StepKind } from './step-kind.ts';
export type { BuildOptions } from './step-builder.ts';
export { DefinitionError, type DefinitionErrorCode, type DefinitionErrorDetails } from './definition-error.ts';
export { pipelineDefinitionSchema, type PipelineDefinition } from './pipeline-definition.ts';
export { llmDeclarationSchema, declarationOf, type LlmDeclaration } from './llm-declaration.ts';
export { filterColumn, filterColumnSchema, type FilterColumnOptions } from './filter-column.ts';
export { mapColumns, mapColumnsSchema, type MapColumnsOptions } from './map-columns.ts';
export { rowCondition, conditionSchema, type RowCondition } from './row-condition.ts';
export { jsonSchemaToZod } from './json-schema-to-zod.ts';
export { interpolate, type InterpolateOptions } from './interpolate.ts';
export { lazyLlm } from './lazy-llm.ts';
export { llmsOf } from './llms-of.ts';
export { field, stepOptions } from './fields.ts';
