/**
 * `structured` in definitions: a chat completion whose reply must match a JSON Schema.
 * `- structured: { llm: writer, prompt: "…", schema: { type: object, properties: { … }, required: [ … ] }, as: plan }`
 * @module
 */
import { z } from 'zod';
import { structured } from '../../llm/structured.ts';
import { field } from '../fields.ts';
import { jsonSchemaToZod } from '../json-schema-to-zod.ts';
import { defineKind } from '../step-kind.ts';
import { chatShape, llmOptions, llmParamsOf } from './llm-step-params.ts';

const defaultSchemaName = (name: string | undefined) => (name ?? 'structured').replace(/[^a-zA-Z0-9_-]/g, '_');

export const structuredKind = defineKind({
  description: 'A chat completion whose reply must match a JSON Schema; invalid replies are asked for again.',
  schema: z.strictObject(
    {
      ...chatShape,
      schema: field.jsonMap('The JSON Schema the reply must match. Objects are closed (`additionalProperties: false`) unless it says otherwise.'),
      schemaName: field.nonEmpty('Names the schema in the request. Default: the step name.').optional(),
      maxInvalid: field.natural('Extra requests after an invalid reply. Default 2.').optional(),
    },
    { error: 'a map of params' },
  ),
  build(params, ctx) {
    const llm = ctx.llm(params.llm);
    return structured({ ...llmOptions(params, llm), schema: jsonSchemaToZod(params.schema) });
  },
  paramsOf(step, ctx) {
    const out = llmParamsOf(step, ctx, [['prompt'], ['system'], ['fewShot'], ['params']], 'structured');
    if (!out) return undefined;
    const format = step.params.schema as { name?: string; schema?: Record<string, unknown> } | undefined;
    const { $schema: _dialect, ...schema } = format?.schema ?? {};
    return {
      ...out,
      schema,
      ...(format?.name && format.name !== defaultSchemaName(step.named ? step.name : undefined) ? { schemaName: format.name } : {}),
      ...(step.params.maxInvalid !== undefined && step.params.maxInvalid !== 2 ? { maxInvalid: step.params.maxInvalid } : {}),
    };
  },
});
