/**
 * Sets `key` on `target` as an own data property, whatever the key: `target[key] = value` with a key
 * taken from data (`__proto__`) would change the object's prototype instead of adding a column.
 * @example
 * setOwn(row, '__proto__', 1); // row now has a column named __proto__
 */
export function setOwn<T extends object>(target: T, key: string, value: unknown): T {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
  return target;
}
