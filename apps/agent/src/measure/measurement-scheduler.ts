import type { AgentMessage, MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import type { Logger } from 'pino';
import type { TakeMeasurement } from './take-measurement.js';

export type MeasurementAnswer = Extract<AgentMessage, { type: 'measurement' }>;

export interface MeasurementSchedulerOptions {
  /** Measurements taken at the same time; the others wait in the order they arrived. */
  concurrency: number;
  take: TakeMeasurement;
  /** Sends an answer to the control plane; false when there is no connection to send it on. */
  send: (answer: MeasurementAnswer) => boolean;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export interface MeasurementStats {
  waiting: number;
  running: number;
  /** Answers held until the control plane is connected again. */
  unsent: number;
}

/** Node fires longer timers at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Accepted {
  request: MeasurementRequest;
  /** When the control plane stops waiting for the answer: receipt plus `timeoutSeconds`. */
  expiresAt: number;
}

interface Running {
  controller: AbortController;
  finished: Promise<void>;
  /** The control plane stopped the run: the measurement is aborted and not answered. */
  cancelled: boolean;
}

/**
 * Runs the measurements the control plane asks for: at most `concurrency` at once, in arrival order, each
 * `requestId` once while it waits or runs, each aborted when its `timeoutSeconds` have passed since it arrived.
 * Answers that cannot be sent wait in an outbox for the next connection, unless the control plane has stopped
 * waiting for them by then. A cancelled measurement is dropped or aborted, and never answered.
 */
export class MeasurementScheduler {
  private readonly waiting: Accepted[] = [];
  private readonly accepted = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly outbox = new Map<string, { answer: MeasurementAnswer; expiresAt: number }>();
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: MeasurementSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  submit(request: MeasurementRequest): void {
    if (this.stopped) return;
    if (this.accepted.has(request.requestId)) {
      this.options.logger.debug({ requestId: request.requestId }, 'measurement already in progress; not started again');
      return;
    }
    this.accepted.add(request.requestId);
    this.waiting.push({ request, expiresAt: this.now() + request.timeoutSeconds * 1000 });
    this.startWaiting();
  }

  /** Sends the answers produced while the control plane was away, except those it no longer waits for. */
  connected(): void {
    for (const [requestId, { answer, expiresAt }] of this.outbox) {
      if (expiresAt <= this.now()) {
        this.outbox.delete(requestId);
        this.options.logger.info({ requestId }, 'dropped a measurement answer the control plane no longer waits for');
        continue;
      }
      if (!this.options.send(answer)) return;
      this.outbox.delete(requestId);
    }
  }

  /**
   * Stops measurements of runs that stopped: waiting ones are forgotten, running ones aborted (a job metric deletes
   * its Job), and none is answered. Ids the agent does not hold are ignored.
   */
  cancel(requestIds: readonly string[]): void {
    const cancelled = new Set(requestIds);
    for (let position = this.waiting.length - 1; position >= 0; position -= 1) {
      const requestId = this.waiting[position]?.request.requestId;
      if (requestId === undefined || !cancelled.has(requestId)) continue;
      this.waiting.splice(position, 1);
      this.accepted.delete(requestId);
    }
    for (const requestId of cancelled) {
      this.outbox.delete(requestId);
      const running = this.running.get(requestId);
      if (!running || running.cancelled) continue;
      running.cancelled = true;
      running.controller.abort();
      this.options.logger.info({ requestId }, 'measurement cancelled: its run stopped');
    }
  }

  /** Aborts every running measurement and forgets waiting ones and unsent answers. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    const running = [...this.running.values()];
    for (const { controller } of running) controller.abort();
    await Promise.all(running.map(({ finished }) => finished));
    this.outbox.clear();
  }

  stats(): MeasurementStats {
    return { waiting: this.waiting.length, running: this.running.size, unsent: this.outbox.size };
  }

  private startWaiting(): void {
    while (!this.stopped && this.running.size < this.options.concurrency) {
      const next = this.waiting.shift();
      if (next === undefined) return;
      if (next.expiresAt <= this.now()) {
        this.accepted.delete(next.request.requestId);
        this.options.logger.warn(
          { requestId: next.request.requestId, timeoutSeconds: next.request.timeoutSeconds },
          'a measurement waited past its timeout; not started',
        );
        continue;
      }
      this.start(next);
    }
  }

  private start({ request, expiresAt }: Accepted): void {
    const { requestId, run, metric, timeoutSeconds } = request;
    const log = this.options.logger.child({ requestId, run: `${run.namespace}/${run.name}`, metric: metric.name });
    const controller = new AbortController();
    let timedOut = false;
    const deadline = setTimeout(
      () => {
        timedOut = true;
        controller.abort();
      },
      Math.min(expiresAt - this.now(), MAX_TIMER_MS),
    );
    const startedAt = this.now();
    log.debug({ providers: Object.keys(metric.provider) }, 'measuring');
    const settle = (taken: MeasurementOutcome): void => {
      clearTimeout(deadline);
      const cancelled = this.running.get(requestId)?.cancelled === true;
      this.running.delete(requestId);
      this.accepted.delete(requestId);
      if (this.stopped) return;
      if (cancelled) {
        this.startWaiting();
        return;
      }
      const outcome: MeasurementOutcome = timedOut
        ? {
            ok: false,
            error: `measurement did not finish within ${timeoutSeconds} s`,
            ...(taken.metadata ? { metadata: taken.metadata } : {}),
          }
        : taken;
      log.debug(
        { ok: outcome.ok, ...(outcome.ok ? { phase: outcome.phase } : { error: outcome.error }), durationMs: this.now() - startedAt },
        'measured',
      );
      this.deliver({ type: 'measurement', requestId, outcome }, expiresAt);
      this.startWaiting();
    };
    const finished = this.options.take(request, controller.signal).then(settle, (error: unknown) => {
      log.error({ err: error }, 'measurement failed unexpectedly');
      settle({ ok: false, error: 'the agent failed to take the measurement' });
    });
    this.running.set(requestId, { controller, finished, cancelled: false });
  }

  private deliver(answer: MeasurementAnswer, expiresAt: number): void {
    if (this.options.send(answer)) return;
    for (const [requestId, held] of this.outbox) if (held.expiresAt <= this.now()) this.outbox.delete(requestId);
    this.outbox.set(answer.requestId, { answer, expiresAt });
  }
}
