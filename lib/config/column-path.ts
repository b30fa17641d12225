/**
 * Column paths in declarative steps: `topic`, or `plan.subtopics` for a key inside an object column.
 * @module
 */

/** Reads `path` (dot-separated) from a row: `{ found: false }` when some part of it is missing. */
export function readPath(row: unknown, path: string): { found: boolean; value: unknown } {
  let current: unknown = row;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}

/** The column a path starts with: what the step needs from upstream. */
export function rootColumn(path: string): string {
  const dot = path.indexOf('.');
  return dot === -1 ? path : path.slice(0, dot);
}
