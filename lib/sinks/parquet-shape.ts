/**
 * The Parquet schema of rows: inferred from sample rows (nested objects become structs, lists
 * become LIST columns, integers INT64, other numbers DOUBLE, values of mixed kinds JSON text), or
 * taken from a JSON Schema (what `z.toJSONSchema` makes of a zod schema). Every column is optional.
 * @module
 */
import { OutputNotJsonError, SluiceError } from '../core/errors.ts';

export type Shape =
  | { readonly kind: 'null' | 'boolean' | 'int' | 'double' | 'string' | 'json' }
  | { readonly kind: 'list'; readonly element: Shape }
  | { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, Shape> };

/** A row whose value does not fit the file's schema (fixed by the first rows). Recorded on the failed row. */
export class OutputTypeError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.OutputTypeError');
  override name = 'OutputTypeError';
  override readonly code = 'SLUICE_OUTPUT_TYPE';
}

const NULL: Shape = { kind: 'null' };
const JSON_TEXT: Shape = { kind: 'json' };

export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return NULL;
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { kind: 'int' } : { kind: 'double' };
  if (typeof value === 'string') return { kind: 'string' };
  if (Array.isArray(value)) return { kind: 'list', element: value.map(shapeOf).reduce(mergeShapes, NULL) };
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return JSON_TEXT;
    return { kind: 'struct', fields: new Map(entries.map(([key, inner]) => [key, shapeOf(inner)])) };
  }
  return JSON_TEXT;
}

/** The shape that holds values of both: `int` and `double` make `double`; anything else unlike makes JSON text. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', element: mergeShapes(a.element, b.element) };
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields);
    for (const [key, shape] of b.fields) fields.set(key, fields.has(key) ? mergeShapes(fields.get(key)!, shape) : shape);
    return { kind: 'struct', fields };
  }
  if ((a.kind === 'int' && b.kind === 'double') || (a.kind === 'double' && b.kind === 'int')) return { kind: 'double' };
  return a.kind === b.kind ? a : JSON_TEXT;
}

/** The shape a JSON Schema describes (`type`, `properties`, `items`, `anyOf` with `null`); what it cannot say becomes JSON text. */
export function shapeFromJsonSchema(schema: unknown): Shape {
  const node = (schema ?? {}) as { type?: unknown; anyOf?: unknown[]; properties?: Record<string, unknown>; items?: unknown };
  if (Array.isArray(node.anyOf)) {
    const options = node.anyOf.filter((option) => (option as { type?: unknown }).type !== 'null');
    return options.length === 1 ? shapeFromJsonSchema(options[0]) : JSON_TEXT;
  }
  const types = Array.isArray(node.type) ? node.type.filter((t) => t !== 'null') : [node.type];
  switch (types.length === 1 ? types[0] : undefined) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'integer':
      return { kind: 'int' };
    case 'number':
      return { kind: 'double' };
    case 'string':
      return { kind: 'string' };
    case 'array':
      return { kind: 'list', element: shapeFromJsonSchema(node.items) };
    case 'object':
      if (node.properties && Object.keys(node.properties).length > 0) {
        return { kind: 'struct', fields: new Map(Object.entries(node.properties).map(([key, inner]) => [key, shapeFromJsonSchema(inner)])) };
      }
      return JSON_TEXT;
    default:
      return JSON_TEXT;
  }
}

/** Parquet schema elements (depth-first, as the footer lists them) for a column of `shape`. */
export function schemaElements(name: string, shape: Shape): Record<string, unknown>[] {
  switch (shape.kind) {
    case 'boolean':
      return [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'int':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'null':
    case 'string':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }];
    case 'json':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' }];
    case 'list':
      return [
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...schemaElements('element', shape.element),
      ];
    case 'struct':
      return [
        { name, repetition_type: 'OPTIONAL', num_children: shape.fields.size },
        ...[...shape.fields].flatMap(([key, inner]) => schemaElements(key, inner)),
      ];
  }
}

/**
 * Why a value did not fit, with where inside the column (`[2]`, `.name`), filled in on the way
 * up. Thrown inside `conformValue`, turned into the error the row gets by `conform`: the path of a
 * value is built only when it fails, not for every value of every row.
 */
class Misfit {
  readonly at: string[] = [];
  readonly value: unknown;
  readonly shape: Shape;
  readonly reason: 'type' | 'bigint' | 'not-json' | 'field';
  readonly cause: unknown;
  constructor(value: unknown, shape: Shape, reason: Misfit['reason'], cause?: unknown) {
    this.value = value;
    this.shape = shape;
    this.reason = reason;
    this.cause = cause;
  }
}

function conformValue(value: unknown, shape: Shape): unknown {
  if (value === null || value === undefined) return null;
  switch (shape.kind) {
    case 'json':
      // Written as JSON text: a value JSON cannot hold fails its row here, not the whole row group.
      try {
        JSON.stringify(value);
      } catch (error) {
        throw new Misfit(value, shape, 'not-json', error);
      }
      return value;
    case 'null':
    case 'string':
      if (typeof value !== 'string') throw new Misfit(value, shape, 'type');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Misfit(value, shape, 'type');
      return value;
    case 'int':
      if (typeof value === 'bigint') throw new Misfit(value, shape, 'bigint');
      if (!Number.isSafeInteger(value)) throw new Misfit(value, shape, 'type');
      return BigInt(value as number);
    case 'double':
      if (typeof value !== 'number') throw new Misfit(value, shape, 'type');
      return value;
    case 'list': {
      if (!Array.isArray(value)) throw new Misfit(value, shape, 'type');
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        try {
          out[i] = conformValue(value[i], shape.element);
        } catch (error) {
          if (error instanceof Misfit) error.at.unshift(`[${i}]`);
          throw error;
        }
      }
      return out;
    }
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) throw new Misfit(value, shape, 'type');
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!shape.fields.has(key)) {
          const misfit = new Misfit(value, shape, 'field');
          misfit.at.push(`.${key}`);
          throw misfit;
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, inner] of shape.fields) {
        try {
          out[key] = conformValue(record[key], inner);
        } catch (error) {
          if (error instanceof Misfit) error.at.unshift(`.${key}`);
          throw error;
        }
      }
      return out;
    }
  }
}

/** `value` as the writer takes it for `shape` (integers as BigInt, JSON text as the value): throws `OutputTypeError` when it does not fit. */
export function conform(value: unknown, shape: Shape, path: string): unknown {
  try {
    return conformValue(value, shape);
  } catch (error) {
    if (!(error instanceof Misfit)) throw error;
    const where = `${path}${error.at.join('')}`;
    switch (error.reason) {
      case 'not-json':
        throw new OutputNotJsonError(`Column \`${where}\` holds a value JSON cannot hold (${(error.cause as Error).message}).`, { cause: error.cause });
      case 'bigint':
        throw new OutputNotJsonError(`Column \`${where}\` holds a BigInt, which JSON cannot hold: turn it into a number or a string in a step before.`);
      case 'field':
        throw new OutputTypeError(`Column \`${where}\` is not in the Parquet file's schema (from its first rows). Give the sink a \`schema\` that has it.`);
      default:
        throw new OutputTypeError(
          `Column \`${where}\` holds ${describe(error.value)}, but the Parquet file's schema (from its first rows) says ${error.shape.kind === 'struct' ? 'an object' : error.shape.kind}. ` +
            'Give the sink a `schema` that allows both, or make the values alike in a step before.',
        );
    }
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value === 'object' ? 'an object' : typeof value}`.replace('a an', 'an');
}
