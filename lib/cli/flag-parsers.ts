/**
 * Parsers for flag values, shared by the commands. They throw `SluiceConfigError` (exit 2) with
 * what was expected and what was got.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

/** Parses a number flag within `[min, max]`; `integer` rejects fractions. */
export function numberFlag(flag: string, min: number, max = Number.POSITIVE_INFINITY, integer = false): (value: string) => number {
  return function parseNumberFlag(value: string): number {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new SluiceConfigError(
        `Expected \`${flag}\` to be ${integer ? 'an integer' : 'a number'} from ${min}${Number.isFinite(max) ? ` to ${max}` : ' and up'}, got \`${value}\``,
      );
    }
    return n;
  };
}

/**
 * Collects repeated `--set step.param=value` flags into `{ 'step.param': 'value' }`. The value is
 * kept as text: the step's param schema types it. A later `--set` of the same key wins.
 */
export function collectSet(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  const key = eq === -1 ? '' : value.slice(0, eq).trim();
  const dot = key.indexOf('.');
  if (eq === -1 || dot <= 0 || dot === key.length - 1) {
    throw new SluiceConfigError(`Expected \`--set\` to look like \`step.param=value\`, got \`${value}\``);
  }
  return { ...previous, [key]: value.slice(eq + 1) };
}
