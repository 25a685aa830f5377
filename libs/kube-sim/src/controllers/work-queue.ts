/**
 * How long a controller works through its queue before the simulator serves the requests that arrived meanwhile:
 * a real API server does not wait for the controllers, which run in processes of their own.
 */
const SLICE_MS = 1;

/**
 * A controller's queue of object keys: a key added many times before it is processed is processed once,
 * always outside the caller's stack, so a controller never writes from inside a store notification. A long
 * queue is worked through in slices of `SLICE_MS`, with the simulator's other work in between.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private flushScheduled: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => void,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.flushScheduled ??= setImmediate(() => this.flush());
  }

  /** Adds the key after `delayMs`, unless an earlier delayed add of it is already waiting. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    this.delayed.set(
      key,
      setTimeout(() => {
        this.delayed.delete(key);
        this.add(key);
      }, delayMs),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.delayed.forEach((timer) => clearTimeout(timer));
    this.delayed.clear();
    this.pending.clear();
  }

  private flush(): void {
    this.flushScheduled = undefined;
    const sliceEnd = performance.now() + SLICE_MS;
    for (const key of [...this.pending]) {
      this.pending.delete(key);
      try {
        this.process(key);
      } catch (error) {
        this.onError(key, error);
      }
      if (performance.now() >= sliceEnd) break;
    }
    if (this.pending.size > 0) this.flushScheduled ??= setImmediate(() => this.flush());
  }
}

/** `namespace/name`, the key controllers queue. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export function splitObjectKey(key: string): { namespace: string; name: string } {
  const separator = key.indexOf('/');
  return { namespace: key.slice(0, separator), name: key.slice(separator + 1) };
}
