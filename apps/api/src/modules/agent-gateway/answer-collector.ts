import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import type { MeasurementAnswer } from '@flotilla/queues';
import { ANSWER_GRACE_MS, measurementOfRequest } from '@flotilla/events';

interface AskedGroup {
  runId: string;
  unanswered: Set<string>;
  answers: MeasurementAnswer[];
  giveUp: NodeJS.Timeout;
}

/**
 * Gathers one connection's answers to measurements that were asked for together, so that each group is recorded
 * at once, as Argo records the measurements of one reconcile together. A group is handed on when its last answer
 * arrives, or with the answers it holds once its time is up; the sweep records the missing ones as Errors.
 * It knows only the requests sent on its own connection, which is what makes their answers its cluster's.
 */
export class AnswerCollector {
  private readonly groupsByRequest = new Map<string, AskedGroup>();

  constructor(private readonly handOn: (runId: string, answers: MeasurementAnswer[]) => void) {}

  /** Registers requests of one run that are about to be sent; a request already waiting keeps its group. */
  asked(requests: readonly MeasurementRequest[]): void {
    const fresh = requests.filter((request) => !this.groupsByRequest.has(request.requestId));
    const runId = fresh[0] && measurementOfRequest(fresh[0].requestId)?.runId;
    if (!runId) return;
    const timeoutMs = Math.max(...fresh.map((request) => request.timeoutSeconds)) * 1000 + ANSWER_GRACE_MS;
    const group: AskedGroup = {
      runId,
      unanswered: new Set(fresh.map((request) => request.requestId)),
      answers: [],
      giveUp: setTimeout(() => this.finish(group), timeoutMs),
    };
    group.giveUp.unref();
    for (const requestId of group.unanswered) this.groupsByRequest.set(requestId, group);
  }

  /** Takes an answer; false when its request was not asked on this connection or was answered already. */
  answered(requestId: string, outcome: MeasurementOutcome, answeredAt: Date): boolean {
    const group = this.groupsByRequest.get(requestId);
    const measurement = measurementOfRequest(requestId);
    if (!group || !measurement) return false;
    this.groupsByRequest.delete(requestId);
    group.unanswered.delete(requestId);
    group.answers.push({ metricName: measurement.metricName, index: measurement.index, outcome, answeredAt });
    if (group.unanswered.size === 0) this.finish(group);
    return true;
  }

  /** Hands on what was answered and forgets what was not: the connection is gone. */
  close(): void {
    for (const group of new Set(this.groupsByRequest.values())) this.finish(group);
  }

  private finish(group: AskedGroup): void {
    clearTimeout(group.giveUp);
    for (const requestId of group.unanswered) this.groupsByRequest.delete(requestId);
    group.unanswered.clear();
    if (group.answers.length > 0) this.handOn(group.runId, group.answers.splice(0));
  }
}
