import type { ExitCode } from '../cli/cli-error.js';
import type { ApiClient, Subscription } from './api-client.js';

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export type FollowOutcome = { kind: 'finished'; exitCode: ExitCode } | { kind: 'timeout' } | { kind: 'stopped' };

/** A subscription whose every event means "read again". */
export interface ChangeFeed {
  document: string;
  variables: Record<string, unknown>;
}

export interface FollowOptions<T> {
  api: ApiClient;
  /** The subscriptions that announce changes of what is followed. */
  changes: readonly ChangeFeed[];
  /** Reads what the caller needs of what it follows. */
  read(): Promise<T>;
  /** Gets each reading; an exit code ends the follow. */
  onReading(reading: T): ExitCode | undefined;
  /** Called every `tickMs` between readings, such as to redraw relative times. */
  onTick?: () => void;
  tickMs?: number;
  /** Reads again this often even without events, in case one was missed while reconnecting. */
  pollMs: number;
  /**
   * How long after a reading events only mark it stale (0 when not given): a burst of them then costs one reading at
   * the end of that time, where a costly reading would otherwise be repeated for each.
   */
  restMs?: number;
  timeoutMs?: number;
  stopSignal: AbortSignal;
}

/**
 * Reads now, after each event of the `changes` subscriptions and every `pollMs`, until `onReading` returns an exit
 * code, the timeout passes or the stop signal fires. Readings never overlap: events during one, or during the
 * `restMs` after it, fold into one more reading. A failed reading or subscription ends the follow with that error.
 * @example
 * // restMs 1000, events at 0 ms, 5 ms, 300 ms and 900 ms, each reading taking 20 ms:
 * // readings at 0 ms (the 5 ms event arrives during it) and at 1020 ms, the end of the rest
 */
export function followChanges<T>(options: FollowOptions<T>): Promise<FollowOutcome> {
  return new Promise<FollowOutcome>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const subscriptions: Subscription[] = [];
    let settled = false;
    let reading = false;
    let rest: NodeJS.Timeout | undefined;
    let readAgain = false;

    const onStop = (): void => finish(() => resolve({ kind: 'stopped' }));
    function finish(settle: () => void): void {
      if (settled) return;
      settled = true;
      for (const timer of [...timers, rest]) clearTimeout(timer);
      options.stopSignal.removeEventListener('abort', onStop);
      Promise.all(subscriptions.map((subscription) => subscription.dispose())).then(settle, settle);
    }

    async function readNow(): Promise<void> {
      if (settled) return;
      if (reading || rest !== undefined) {
        readAgain = true;
        return;
      }
      reading = true;
      readAgain = false;
      try {
        const value = await options.read();
        if (settled) return;
        const exitCode = options.onReading(value);
        if (exitCode !== undefined) {
          finish(() => resolve({ kind: 'finished', exitCode }));
          return;
        }
      } catch (error) {
        finish(() => reject(asError(error)));
        return;
      } finally {
        reading = false;
      }
      rest = setTimeout(() => {
        rest = undefined;
        if (readAgain) void readNow();
      }, options.restMs ?? 0);
    }

    if (options.stopSignal.aborted) {
      resolve({ kind: 'stopped' });
      return;
    }
    options.stopSignal.addEventListener('abort', onStop, { once: true });
    for (const feed of options.changes) {
      options.api
        .subscribe(feed.document, feed.variables, {
          next: () => void readNow(),
          error: (error) => finish(() => reject(asError(error))),
        })
        .then(
          (started) => {
            if (settled) void started.dispose();
            else subscriptions.push(started);
          },
          (error: unknown) => finish(() => reject(asError(error))),
        );
    }
    timers.push(setInterval(() => void readNow(), options.pollMs));
    const { onTick } = options;
    if (onTick !== undefined) timers.push(setInterval(() => !reading && !settled && onTick(), options.tickMs ?? 1000));
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => finish(() => resolve({ kind: 'timeout' })), options.timeoutMs));
    void readNow();
  });
}
