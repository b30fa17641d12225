/**
 * Walks a zod schema along a key path, to find the schema (and description) of a nested field:
 * for messages about missing keys, for the keys a map accepts, and for typing `--set` values.
 * @module
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Removes optional, nullable, default and pipe wrappers; returns the first description met on the way. */
export function unwrapSchema(schema: z.ZodType): { schema: z.ZodType; description: string | undefined } {
  let current = schema;
  let description = current.description;
  for (;;) {
    const def = defOf(current);
    const inner =
      def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'prefault' || def.type === 'readonly'
        ? def.innerType
        : def.type === 'pipe'
          ? def.in
          : undefined;
    if (!inner) return { schema: current, description };
    current = inner;
    description ??= current.description;
  }
}

/**
 * The schema of the value at `path` inside `schema`, or undefined when the path leaves it (an
 * unknown key). Unions are searched in order for a member that has the path.
 * @example
 * schemaAt(generateParams, ['params', 'temperature']) // the record's value schema
 */
export function schemaAt(schema: z.ZodType, path: readonly (string | number)[]): { schema: z.ZodType; description: string | undefined } | undefined {
  let here = unwrapSchema(schema);
  for (const segment of path) {
    const def = defOf(here.schema);
    let next: z.ZodType | undefined;
    if (def.type === 'object') next = def.shape?.[String(segment)];
    else if (def.type === 'record') next = def.valueType;
    else if (def.type === 'array') next = typeof segment === 'number' || /^\d+$/.test(String(segment)) ? def.element : undefined;
    else if (def.type === 'union') {
      for (const option of def.options ?? []) {
        const found = schemaAt(option, [segment]);
        if (found) {
          next = found.schema;
          break;
        }
      }
    }
    if (!next) return undefined;
    here = unwrapSchema(next);
  }
  return here;
}

/** The keys an object schema (or the objects of a union) accepts, in declaration order. */
export function keysOf(schema: z.ZodType): string[] {
  const { schema: inner } = unwrapSchema(schema);
  const def = defOf(inner);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') return [...new Set((def.options ?? []).flatMap((option) => keysOf(option)))];
  return [];
}
