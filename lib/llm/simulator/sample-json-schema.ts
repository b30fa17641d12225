/**
 * A small deterministic generator of JSON values that validate against a JSON Schema.
 * @module
 */
import { SluiceConfigError } from '../../core/errors.ts';

/** Options for {@link sampleJsonSchema}. */
export interface SampleJsonSchemaOptions {
  /** Varies the choices (enum members, numbers, booleans, string suffixes); the same key gives the same value. Default `''`. */
  readonly key?: string;
  /** What the strings are about, e.g. the prompt's topic. Default `'the prompt'`. */
  readonly topic?: string;
  /** Items in an array when its bounds allow: 3 by default, so a pipeline has something to scatter. */
  readonly arrayLength?: number;
  /**
   * Make the value wrong on purpose: leave out the root object's required properties, or, when the
   * root has none, give a value of another type. For testing how a client handles invalid output.
   */
  readonly omitRequired?: boolean;
}

type Schema = { readonly [keyword: string]: unknown };

interface Context {
  readonly root: unknown;
  readonly key: string;
  readonly topic: string;
  readonly arrayLength: number;
}

/** Past this many `$ref` hops on one path, arrays get their minimum length and optional properties are left out, so recursive schemas end. */
const SHALLOW_REFS = 2;
/** A schema that still recurses this deep cannot be sampled (e.g. a required recursive property). */
const MAX_DEPTH = 64;

/**
 * Returns a JSON value that validates against `schema`, the same value for the same schema and `key`.
 *
 * Covers the JSON Schema that `z.toJSONSchema` and OpenAI's structured outputs use: objects
 * (`properties`, `required`, `propertyNames` enums), arrays (`items`, `prefixItems`, `minItems`,
 * `maxItems`), strings (`enum`, `const`, `minLength`, `maxLength`, common `format`s), numbers and
 * integers (`minimum`, `maximum`, exclusive bounds, `multipleOf`), booleans, `null`, type arrays
 * (nullable), `anyOf`/`oneOf`/`allOf`, and local `$ref`s into `$defs`/`definitions` or `#` (recursion).
 * It does not generate strings for arbitrary `pattern`s.
 *
 * Strings read as text about `topic`: array items are `"subtopic 1 of <topic>"`, `"keyword 2 of <topic>"`
 * (the property name, singular), other strings `"<property> about <topic> #<hash>"`.
 *
 * @example
 * ```ts
 * sampleJsonSchema(z.toJSONSchema(z.array(z.string())), { topic: 'rivers' });
 * // ['subtopic 1 of rivers', 'subtopic 2 of rivers', 'subtopic 3 of rivers']
 * ```
 */
export function sampleJsonSchema(schema: unknown, options: SampleJsonSchemaOptions = {}): unknown {
  const { key = '', topic = 'the prompt', arrayLength = 3, omitRequired = false } = options;
  if (!Number.isInteger(arrayLength) || arrayLength < 0) {
    throw new SluiceConfigError(`Expected \`arrayLength\` to be an integer from 0 and up, got \`${arrayLength}\``);
  }
  const ctx: Context = { root: schema, key, topic, arrayLength };
  if (!omitRequired) return sample(ctx, schema, '', 'answer', 0, 0);

  const rootSchema = flatten(ctx, schema);
  const required = Array.isArray(rootSchema.required) ? rootSchema.required.filter((name) => typeof name === 'string') : [];
  if (required.length > 0) {
    const value = sample(ctx, rootSchema, '', 'answer', 0, 0);
    if (isPlainObject(value)) {
      for (const name of required) delete value[name];
      return value;
    }
  }
  return typesOf(rootSchema).includes('object') ? ['wrong-schema'] : { sim: 'wrong-schema' };
}

function sample(ctx: Context, raw: unknown, path: string, label: string, refs: number, depth: number): unknown {
  if (depth > MAX_DEPTH) {
    throw new SluiceConfigError(`Expected a JSON schema with a finite instance, but it still recurses at \`${path || '/'}\``);
  }
  if (raw === false) throw new SluiceConfigError(`Expected a JSON schema that accepts some value, got \`false\` at \`${path || '/'}\``);
  if (!isPlainObject(raw)) return freeString(ctx, path, label);

  if (typeof raw.$ref === 'string') return sample(ctx, resolveRef(ctx, raw.$ref), path, label, refs + 1, depth + 1);
  if ('const' in raw) return raw.const;
  if (Array.isArray(raw.enum) && raw.enum.length > 0) return raw.enum[hash(ctx, path) % raw.enum.length];
  if (Array.isArray(raw.allOf)) return sample(ctx, flatten(ctx, raw), path, label, refs, depth + 1);

  const branches = Array.isArray(raw.anyOf) ? raw.anyOf : Array.isArray(raw.oneOf) ? raw.oneOf : undefined;
  if (branches && branches.length > 0) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...base } = raw;
    const branch = chooseBranch(ctx, branches, path, refs);
    // Keywords beside anyOf/oneOf (a shared `type`, `properties`) apply to every branch.
    const merged = Object.keys(base).length > 0 ? mergeSchemas(base, deref(ctx, branch)) : branch;
    return sample(ctx, merged, path, label, refs, depth + 1);
  }

  const types = typesOf(raw);
  // Nullable (`["string", "null"]`): give the value, which is more useful to a pipeline than null.
  const type = types.find((t) => t !== 'null') ?? types[0] ?? 'string';
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return hash(ctx, path) % 2 === 0;
    case 'integer':
    case 'number':
      return sampleNumber(ctx, raw, path, type === 'integer');
    case 'array':
      return sampleArray(ctx, raw, path, label, refs, depth);
    case 'object':
      return sampleObject(ctx, raw, path, refs, depth);
    default:
      return sampleString(ctx, raw, path, label);
  }
}

function sampleObject(ctx: Context, schema: Schema, path: string, refs: number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : []);
  const shallow = refs < SHALLOW_REFS;
  for (const [name, sub] of Object.entries(properties)) {
    if (required.has(name) || shallow) out[name] = sample(ctx, sub, `${path}/${name}`, name, refs, depth + 1);
  }
  // Keys required without a property schema: records over an enum (`propertyNames: { enum }`, all keys required).
  const extra = isPlainObject(schema.additionalProperties) ? schema.additionalProperties : {};
  for (const name of required) {
    if (!(name in out)) out[name] = sample(ctx, extra, `${path}/${name}`, name, refs, depth + 1);
  }
  return out;
}

function sampleArray(ctx: Context, schema: Schema, path: string, label: string, refs: number, depth: number): unknown[] {
  // Draft 2020-12 tuples use `prefixItems`; draft 7 tuples use an `items` array.
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  let count: number;
  if (prefix.length > 0 || rest === false) count = Math.max(prefix.length, min);
  else count = refs < SHALLOW_REFS ? Math.min(Math.max(ctx.arrayLength, min), max) : min;
  if (rest === false) count = Math.min(count, prefix.length);

  const itemLabel = singular(label.split('\u0000')[0] ?? label);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const sub = i < prefix.length ? prefix[i] : rest;
    out.push(sample(ctx, sub, `${path}/${i}`, `${itemLabel}\u0000${i + 1}`, refs, depth + 1));
  }
  if (schema.uniqueItems === true) {
    const seen = new Set<string>();
    return out.filter((item) => {
      const text = JSON.stringify(item);
      if (seen.has(text)) return false;
      seen.add(text);
      return true;
    });
  }
  return out;
}

function sampleString(ctx: Context, schema: Schema, path: string, label: string): string {
  let text = typeof schema.format === 'string' ? formatted(ctx, schema.format, path) : undefined;
  text ??= freeString(ctx, path, label);
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (text.length < min) text = text.padEnd(min, '.');
  if (text.length > max) text = text.slice(0, max);
  return text;
}

function freeString(ctx: Context, path: string, label: string): string {
  // Array items carry their ordinal after a NUL, set by sampleArray: "subtopic 1 of <topic>".
  const cut = label.indexOf('\u0000');
  if (cut >= 0) return `${label.slice(0, cut)} ${label.slice(cut + 1)} of ${ctx.topic}`;
  return `${label} about ${ctx.topic} #${hex4(hash(ctx, path))}`;
}

function formatted(ctx: Context, format: string, path: string): string | undefined {
  const h = hash(ctx, path);
  switch (format) {
    case 'email':
      return `sim.${hex4(h)}@example.com`;
    case 'uuid': {
      const hex = [h, hash(ctx, `${path}#2`), hash(ctx, `${path}#3`), hash(ctx, `${path}#4`)].map((n) => n.toString(16).padStart(8, '0')).join('');
      // Version 4, variant 8: what zod's and most validators' uuid patterns expect.
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    }
    case 'date-time':
      return `2025-01-${String(1 + (h % 28)).padStart(2, '0')}T12:00:00.000Z`;
    case 'date':
      return `2025-01-${String(1 + (h % 28)).padStart(2, '0')}`;
    case 'time':
      return '12:00:00';
    case 'duration':
      return 'PT1M';
    case 'uri':
    case 'url':
    case 'iri':
      return `https://example.com/sim/${hex4(h)}`;
    case 'hostname':
      return 'sim.example.com';
    case 'ipv4':
      return '127.0.0.1';
    case 'ipv6':
      return '::1';
    default:
      return undefined;
  }
}

function sampleNumber(ctx: Context, schema: Schema, path: string, integer: boolean): number {
  const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : 1;
  const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
  const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
  const exMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -Infinity;
  const exMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : Infinity;
  // Work in whole steps: k * step for integer k is a multiple of `step` and, for step 1, an integer.
  const kLo = Math.max(Math.ceil(min / step), Math.floor(exMin / step) + 1);
  const kHi = Math.min(Math.floor(max / step), Math.ceil(exMax / step) - 1);
  if (kLo <= kHi) {
    const h = hash(ctx, path);
    // Small values near 0 (or near the nearest bound) read better than huge ones from z.int()'s safe-integer range.
    let k: number;
    if (kLo <= 0 && kHi >= 0) k = h % (Math.min(kHi, 99) + 1);
    else if (kLo > 0) k = kLo + (h % (Math.min(kHi - kLo, 99) + 1));
    else k = kHi - (h % (Math.min(kHi - kLo, 99) + 1));
    return k * step;
  }
  const lo = Math.max(min, exMin);
  const hi = Math.min(max, exMax);
  if (!integer && Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi) return (lo + hi) / 2;
  throw new SluiceConfigError(`Expected a satisfiable number schema at \`${path || '/'}\`, got bounds ${lo}..${hi} with multipleOf ${step}`);
}

/** Picks an anyOf/oneOf branch: not `null` when there is a choice, and not recursive once deep. */
function chooseBranch(ctx: Context, branches: readonly unknown[], path: string, refs: number): unknown {
  let candidates = branches.filter((b) => !(isPlainObject(b) && b.type === 'null'));
  if (refs >= SHALLOW_REFS) {
    const flat = candidates.filter((b) => !(isPlainObject(b) && typeof b.$ref === 'string'));
    if (flat.length > 0) candidates = flat;
  }
  if (candidates.length === 0) candidates = [...branches];
  return candidates[hash(ctx, `${path}|branch`) % candidates.length];
}

/** Follows `$ref`s at the top of a schema and merges `allOf`, so its own keywords can be read. */
function flatten(ctx: Context, raw: unknown, depth = 0): Schema {
  if (depth > MAX_DEPTH) throw new SluiceConfigError('Expected `allOf` to end, but it refers back to itself');
  const schema = deref(ctx, raw);
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  return allOf.reduce<Schema>((acc, part) => mergeSchemas(acc, flatten(ctx, part, depth + 1)), rest);
}

function deref(ctx: Context, raw: unknown): Schema {
  let schema = raw;
  for (let hops = 0; isPlainObject(schema) && typeof schema.$ref === 'string'; hops++) {
    if (hops > MAX_DEPTH) throw new SluiceConfigError(`Expected \`$ref\` chains to end, got a loop at \`${schema.$ref}\``);
    schema = resolveRef(ctx, schema.$ref);
  }
  return isPlainObject(schema) ? schema : {};
}

/** Shallow merge for allOf: properties and required are unioned, other keywords from `b` win. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const merged: Record<string, unknown> = { ...a, ...b };
  if (isPlainObject(a.properties) || isPlainObject(b.properties)) {
    merged.properties = { ...(isPlainObject(a.properties) ? a.properties : {}), ...(isPlainObject(b.properties) ? b.properties : {}) };
  }
  if (Array.isArray(a.required) || Array.isArray(b.required)) {
    merged.required = [...new Set([...(Array.isArray(a.required) ? a.required : []), ...(Array.isArray(b.required) ? b.required : [])])];
  }
  return merged;
}

/** Resolves a local JSON pointer (`#`, `#/$defs/Name`, `#/definitions/Name`). */
function resolveRef(ctx: Context, ref: string): unknown {
  if (!ref.startsWith('#')) {
    throw new SluiceConfigError(`Expected a local \`$ref\` (starting with \`#\`), got \`${ref}\``);
  }
  let node: unknown = ctx.root;
  const pointer = decodeURIComponent(ref.slice(1));
  for (const part of pointer.split('/').slice(1)) {
    const name = part.replaceAll('~1', '/').replaceAll('~0', '~');
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[name] : undefined;
    if (node === undefined) throw new SluiceConfigError(`Expected \`$ref\` \`${ref}\` to point into the schema, but \`${name}\` is not there`);
  }
  return node;
}

function typesOf(schema: Schema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t) => typeof t === 'string');
  // No `type`: infer it from the keywords present.
  if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema || 'propertyNames' in schema) return ['object'];
  if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema) return ['array'];
  if ('minimum' in schema || 'maximum' in schema || 'exclusiveMinimum' in schema || 'exclusiveMaximum' in schema || 'multipleOf' in schema) return ['number'];
  return ['string'];
}

/** "subtopics" → "subtopic"; the root array's items are subtopics, as in the design's example pipeline. */
function singular(label: string): string {
  if (label === 'answer') return 'subtopic';
  return label.length > 3 && label.endsWith('s') && !label.endsWith('ss') ? label.slice(0, -1) : label;
}

function hash(ctx: Context, path: string): number {
  // FNV-1a: a few operations per character, plenty for picking enum members.
  let h = 0x811c9dc5;
  const text = `${ctx.key}|${path}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hex4(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, '0');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
