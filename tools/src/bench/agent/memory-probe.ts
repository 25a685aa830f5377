/**
 * Preloaded into the benchmarked agent (`node --import`): answers `'memory'` on the IPC channel with the process's
 * `process.memoryUsage()` as it is, and `'live-memory'` with it after a full collection (the agent must run with
 * `--expose-gc`), which tells retained objects from garbage waiting for the next major collection.
 */
process.on('message', (message) => {
  if (message === 'live-memory') globalThis.gc?.();
  if (message === 'memory' || message === 'live-memory') process.send?.(process.memoryUsage());
});
