/**
 * Preloaded into the benchmarked agent (`node --import`): answers `'memory'` on the IPC channel with the process's
 * `process.memoryUsage()`, so that the benchmark can print the heap next to the resident size.
 */
process.on('message', (message) => {
  if (message === 'memory') process.send?.(process.memoryUsage());
});
