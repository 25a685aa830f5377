import type { ApiClient, Subscription } from '../api/api-client.js';
import { ROLLOUT_CHANGED, type RolloutRef } from '../api/queries.js';
import type { ExitCode } from '../cli/cli-error.js';

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export type FollowOutcome = { kind: 'finished'; exitCode: ExitCode } | { kind: 'timeout' } | { kind: 'stopped' };

export interface FollowOptions<T> {
  api: ApiClient;
  rollout: RolloutRef;
  /** Reads what the caller needs of the rollout. */
  read(): Promise<T>;
  /** Gets each reading; an exit code ends the follow. */
  onReading(reading: T): ExitCode | undefined;
  /** Called every `tickMs` between readings, such as to redraw relative times. */
  onTick?: () => void;
  tickMs?: number;
  /** Reads again this often even without events, in case one was missed while reconnecting. */
  pollMs: number;
  timeoutMs?: number;
  stopSignal: AbortSignal;
}

/**
 * Reads a rollout now, after each `rolloutChanged` event and every `pollMs`, until `onReading` returns an exit code,
 * the timeout passes or the stop signal fires. Readings never overlap: events during one fold into one more reading.
 * A failed reading or subscription ends the follow with that error.
 */
export function followRollout<T>(options: FollowOptions<T>): Promise<FollowOutcome> {
  return new Promise<FollowOutcome>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let subscription: Subscription | undefined;
    let settled = false;
    let reading = false;
    let readAgain = false;

    const onStop = (): void => finish(() => resolve({ kind: 'stopped' }));
    function finish(settle: () => void): void {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.stopSignal.removeEventListener('abort', onStop);
      const dispose = subscription?.dispose() ?? Promise.resolve();
      dispose.then(settle, settle);
    }

    async function readNow(): Promise<void> {
      if (settled) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      try {
        do {
          readAgain = false;
          const value = await options.read();
          if (settled) return;
          const exitCode = options.onReading(value);
          if (exitCode !== undefined) {
            finish(() => resolve({ kind: 'finished', exitCode }));
            return;
          }
        } while (readAgain && !settled);
      } catch (error) {
        finish(() => reject(asError(error)));
      } finally {
        reading = false;
      }
    }

    if (options.stopSignal.aborted) {
      resolve({ kind: 'stopped' });
      return;
    }
    options.stopSignal.addEventListener('abort', onStop, { once: true });
    options.api
      .subscribe(
        ROLLOUT_CHANGED,
        { ...options.rollout },
        { next: () => void readNow(), error: (error) => finish(() => reject(asError(error))) },
      )
      .then(
        (started) => {
          if (settled) void started.dispose();
          else subscription = started;
        },
        (error: unknown) => finish(() => reject(asError(error))),
      );
    timers.push(setInterval(() => void readNow(), options.pollMs));
    const { onTick } = options;
    if (onTick !== undefined) timers.push(setInterval(() => !reading && !settled && onTick(), options.tickMs ?? 1000));
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => finish(() => resolve({ kind: 'timeout' })), options.timeoutMs));
    void readNow();
  });
}
