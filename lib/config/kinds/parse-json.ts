/**
 * `parseJson` in definitions: the JSON an LLM wrote into a text column, read leniently (fences,
 * prose around it, trailing commas), optionally checked against a JSON schema.
 * `- parseJson: { column: raw, as: subtopics, schema: { type: array, items: { type: string } } }`
 * @module
 */
import { z } from 'zod';
import { parseJson } from '../../operators/parse-json.ts';
import { field, stepOptions } from '../fields.ts';
import { jsonSchemaToZod } from '../json-schema-to-zod.ts';
import { defineKind } from '../step-kind.ts';

const schemas = new WeakMap<object, unknown>();

export const parseJsonKind = defineKind({
  description: "Reads the JSON object or list in a text column (an LLM's answer), leniently; rows with none fail.",
  schema: z.strictObject(
    {
      ...stepOptions,
      column: field.nonEmpty('The text column to read.'),
      as: field.nonEmpty('Column for the parsed value. Default: the text column itself.').optional(),
      schema: field.jsonMap('A JSON schema the value must match, such as `{ type: array, items: { type: string } }`.').optional(),
    },
    { error: 'a map of params' },
  ),
  build(params) {
    const { column, as, schema, name, onError } = params;
    const step = parseJson({
      column,
      ...(as ? { as } : {}),
      ...(schema ? { schema: jsonSchemaToZod(schema) } : {}),
      ...(name ? { name } : {}),
      ...(onError ? { onError } : {}),
    });
    if (schema) schemas.set(step, schema);
    return step;
  },
  paramsOf(step) {
    const { column, as } = step.params as { column: string; as: string };
    const schema = schemas.get(step);
    return { column, ...(as !== column ? { as } : {}), ...(schema ? { schema } : {}) };
  },
});
