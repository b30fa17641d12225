/**
 * Step naming: each step gets a unique qualified name (`branch/step`) for stats, the graph and cache keys.
 * @module
 */
import { SluiceConfigError } from './errors.ts';
import type { AnyStep } from './step.ts';

/** Gives each step a unique name under `prefix`; user-chosen duplicates are an error. */
export function nameSteps(steps: readonly AnyStep[], prefix: string, taken: Set<string>): string[] {
  return steps.map((step) => {
    let name = prefix + step.name;
    if (taken.has(name)) {
      if (step.named) {
        throw new SluiceConfigError(`Two steps are named \`${name}\`. Step names must be unique: rename one with \`name: '…'\`.`, {
          option: 'name',
          expected: 'a name no other step has',
          received: name,
        });
      }
      let n = 2;
      while (taken.has(`${prefix}${step.name}-${n}`)) n++;
      name = `${prefix}${step.name}-${n}`;
    }
    taken.add(name);
    return name;
  });
}
