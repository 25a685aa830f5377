import { nextBackoffMs, type BackoffPolicy } from '../connection/backoff.js';

export interface WorkQueueOptions {
  concurrency: number;
  retry: BackoffPolicy;
  /** A key failed; it will run again after `retryInMs` unless added sooner. */
  failed: (key: string, error: unknown, retryInMs: number) => void;
}

/**
 * Runs `work` for keys, each key at most once at a time: a key added while it waits runs once, a key added while it
 * runs runs again afterwards (the latest state is what counts, not the number of changes). Failed keys are retried
 * with backoff; a success resets their backoff.
 */
export class KeyedWorkQueue {
  private readonly waiting = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly options: WorkQueueOptions,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimers.get(key));
    this.retryTimers.delete(key);
    if (this.running.has(key)) this.again.add(key);
    else this.waiting.add(key);
    this.pump();
  }

  /** Whether some key is running or waiting to run (keys waiting for a retry do not count). */
  get busy(): boolean {
    return this.waiting.size + this.running.size > 0;
  }

  get pending(): number {
    return this.waiting.size + this.running.size + this.retryTimers.size;
  }

  stop(): void {
    this.stopped = true;
    this.waiting.clear();
    this.retryTimers.forEach((timer) => clearTimeout(timer));
    this.retryTimers.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.options.concurrency && this.waiting.size > 0) {
      const key = this.waiting.values().next().value as string;
      this.waiting.delete(key);
      this.running.add(key);
      this.work(key).then(
        () => {
          this.failures.delete(key);
          this.finished(key);
        },
        (error: unknown) => {
          const failures = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, failures);
          const retryInMs = nextBackoffMs(failures, Math.random(), this.options.retry);
          this.options.failed(key, error, retryInMs);
          if (!this.stopped && !this.again.has(key))
            this.retryTimers.set(
              key,
              setTimeout(() => this.add(key), retryInMs),
            );
          this.finished(key);
        },
      );
    }
  }

  private finished(key: string): void {
    this.running.delete(key);
    if (this.again.delete(key)) this.waiting.add(key);
    this.pump();
  }
}
