/**
 * Waits until `condition` holds, checking every few milliseconds, with no deadline of its own: a
 * busy machine only makes it wait longer. If the condition never holds, the test's own timeout
 * (or Node's "event loop resolved while the test was pending") reports it.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}
