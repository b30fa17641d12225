/**
 * Types a source's rows, and with a zod schema checks them: a row that does not match becomes a
 * failed item (`SLUICE_INPUT_SCHEMA`, with the path and the reason) and reading goes on. A
 * `z.object` schema also tells validation the columns every row has, before any row is read.
 * @module
 */
import type { z } from 'zod';
import { InputError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';

const RAW_CHARS = 200;

/** The source as a `Source<R>`; rows checked by `schema` when there is one (without it, `R` is the caller's word). */
export function checkedRows<R extends object>(source: Source, schema: z.ZodType<R> | undefined): Source<R> {
  if (!schema) return source as unknown as Source<R>;
  const shape = (schema as unknown as { shape?: unknown }).shape;
  const columns = shape && typeof shape === 'object' ? Object.keys(shape) : undefined;
  return {
    ...source,
    ...(columns ? { columns } : {}),
    async *read(signal) {
      for await (const batch of source.read(signal)) yield batch.map((item) => check(item, schema));
    },
  };
}

function check<R>(item: SourceItem, schema: z.ZodType<R>): SourceItem<R> {
  if (!item.ok) return item;
  const result = schema.safeParse(item.row);
  if (result.success) return { ok: true, row: result.data, position: item.position };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `\`${issue.path.join('.')}\`` : 'the row';
  return {
    ok: false,
    position: item.position,
    error: new InputError(
      'SLUICE_INPUT_SCHEMA',
      `Record ${item.position} does not match the source's schema: ${where}: ${issue?.message ?? 'invalid'}.`,
      item.position,
    ),
    raw: JSON.stringify(item.row as Row).slice(0, RAW_CHARS),
  };
}
