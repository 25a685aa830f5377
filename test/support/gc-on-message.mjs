// Preloaded (node --expose-gc --import) into a process a test starts with an IPC channel: the message 'gc' runs a
// full garbage collection and is answered with the process's memory usage after it. Only tests load this;
// production processes have no such door.
if (typeof globalThis.gc !== 'function') throw new Error('gc-on-message needs node --expose-gc');
if (!process.send) throw new Error('gc-on-message needs an IPC channel (spawn with stdio "ipc")');
process.on('message', (message) => {
  if (message !== 'gc') return;
  globalThis.gc();
  process.send?.({ collected: process.memoryUsage() });
});
// The channel must not keep the process alive once it is asked to stop.
process.channel?.unref();
