/**
 * Builds a `Step` from its parts, filling the defaults every step shares.
 * @module
 */
import { type Columns, withColumns } from './columns.ts';
import { SluiceConfigError } from './errors.ts';
import { guardPermits } from './permit-guard.ts';
import type { Step, StepInfo } from './step.ts';

export interface StepParts<In, Out> extends Partial<Omit<StepInfo, 'kind'>> {
  kind: string;
  /** Columns the step adds (ignored when `columnsAfter` is given). */
  adds?: readonly string[];
  operator: Step<In, Out>['operator'];
  /**
   * The operator settles every row itself: passes it on, or calls `ctx.fail` or `ctx.drop` (the
   * built-in steps do). Otherwise a row it swallows is recorded as a failed row, `SLUICE_ROW_LOST`,
   * when it completes, so that no record is left never done.
   */
  ownsPermits?: boolean;
}

export function defineStep<In, Out>(parts: StepParts<In, Out>): Step<In, Out> {
  const name = parts.name ?? parts.kind;
  if (typeof name !== 'string' || name.length === 0 || name.includes('/')) {
    throw new SluiceConfigError(`Expected step \`name\` to be a non-empty string without \`/\`, got \`${String(name)}\``, {
      option: 'name',
      expected: 'a non-empty string without `/`',
      received: name,
    });
  }
  if (parts.onError !== undefined && parts.onError !== 'skip' && parts.onError !== 'fail') {
    throw new SluiceConfigError(`Expected \`onError\` to be \`skip\` or \`fail\`, got \`${String(parts.onError)}\``, {
      option: 'onError',
      expected: '`skip` or `fail`',
      received: parts.onError,
    });
  }
  const adds = parts.adds ?? [];
  const step: Step<In, Out> = {
    name,
    named: parts.named ?? parts.name !== undefined,
    kind: parts.kind,
    version: parts.version ?? 1,
    params: parts.params ?? {},
    needs: parts.needs ?? [],
    columnsAfter: parts.columnsAfter ?? ((input: Columns) => withColumns(input, adds)),
    operator: parts.ownsPermits ? parts.operator : (ctx) => guardPermits(ctx, parts.operator),
    ...(parts.branches ? { branches: parts.branches } : {}),
    ...(parts.onError ? { onError: parts.onError } : {}),
    ...(parts.rowWise ? { rowWise: true } : {}),
  };
  return step;
}

/** Checks a concurrency-like option: an integer from 1 and up, or Infinity. */
export function checkPositiveInt(option: string, value: unknown, allowInfinity = true): number {
  if ((allowInfinity && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && (value as number) >= 1)) {
    return value as number;
  }
  const expected = `an integer from 1 and up${allowInfinity ? ' or `Infinity`' : ''}`;
  throw new SluiceConfigError(`Expected \`${option}\` to be ${expected}, got \`${String(value)}\``, { option, expected, received: value });
}

/** Checks a duration option: a finite number of milliseconds from 0 and up. */
export function checkMilliseconds(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const expected = 'a number of milliseconds from 0 and up';
  throw new SluiceConfigError(`Expected \`${option}\` to be ${expected}, got \`${String(value)}\``, { option, expected, received: value });
}
