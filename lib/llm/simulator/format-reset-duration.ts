/**
 * Formats a wait the way OpenAI's `x-ratelimit-reset-*` headers do.
 * @module
 */

/**
 * Formats `ms` milliseconds as a Go-style duration, as OpenAI writes its `x-ratelimit-reset-requests`
 * and `x-ratelimit-reset-tokens` headers: `20ms` under a second, otherwise hours, minutes and
 * seconds with the seconds' fraction kept (`1s`, `8.64s`, `6m0s`, `1h2m3.5s`), and `0s` for no wait.
 *
 * @example
 * ```ts
 * formatResetDuration(20);      // '20ms'
 * formatResetDuration(1000);    // '1s'
 * formatResetDuration(360_000); // '6m0s'
 * ```
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  // Integer milliseconds divided by 1000 print exactly (`8.64`), with no trailing zeros.
  const seconds = `${(whole % 60_000) / 1000}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
