/**
 * Calls watchers when Node's event loop is empty (`beforeExit`): nothing can happen any more.
 * One process listener for all of them, so that hundreds of runs at once (an HTTP handler's
 * requests) add no listener each.
 * @module
 */
const watchers = new Set<() => void>();

function onBeforeExit(): void {
  for (const watcher of [...watchers]) watcher();
}

/** Calls `watcher` each time the event loop empties; returns the function that stops watching. */
export function watchEmptyLoop(watcher: () => void): () => void {
  if (watchers.size === 0) process.on('beforeExit', onBeforeExit);
  watchers.add(watcher);
  return () => {
    watchers.delete(watcher);
    if (watchers.size === 0) process.off('beforeExit', onBeforeExit);
  };
}
