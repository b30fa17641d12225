/**
 * JSON Schema to zod, for `structured` steps in definitions: the definition holds a JSON Schema
 * (what `z.toJSONSchema` emits), and the step needs a zod schema to ask for and check replies.
 * Uses zod's own `z.fromJSONSchema`, after closing objects.
 * @module
 */
import { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';

/** Sets `additionalProperties: false` on every object schema that does not say otherwise. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties`, `$defs` and `definitions` map names to schemas; `enum`, `const`, `default`, `examples` hold data.
    if (key === 'properties' || key === '$defs' || key === 'definitions' || key === 'patternProperties') {
      out[key] =
        value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closeObjects(sub)])) : value;
    } else if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') {
      out[key] = value;
    } else {
      out[key] = closeObjects(value);
    }
  }
  const type = out.type;
  const isObject = type === 'object' || (Array.isArray(type) && type.includes('object')) || (type === undefined && out.properties !== undefined);
  if (isObject && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/**
 * Converts a JSON Schema into a zod schema. Objects are closed (`additionalProperties: false`
 * unless the schema says otherwise), as structured outputs require and as `z.object` is.
 * Supports what `z.toJSONSchema` emits: objects with `properties`/`required`, arrays with
 * `items`/`minItems`/`maxItems`, strings with `enum`/`minLength`/`maxLength`/`pattern`,
 * numbers and integers with `minimum`/`maximum`, booleans, `null` and type lists, `anyOf`, `const`.
 * @example
 * jsonSchemaToZod({ type: 'object', properties: { subtopics: { type: 'array', items: { type: 'string' } } }, required: ['subtopics'] })
 */
export function jsonSchemaToZod(schema: unknown): z.ZodType {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new SluiceConfigError(
      `Expected \`schema\` to be a JSON Schema (a map such as \`{ type: object, properties: … }\`), got \`${JSON.stringify(schema)}\``,
    );
  }
  try {
    return z.fromJSONSchema(closeObjects(schema) as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new SluiceConfigError(`Expected \`schema\` to be a JSON Schema zod can read, got one it cannot: ${(error as Error).message}`, { cause: error });
  }
}
