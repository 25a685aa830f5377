import type { Metric } from '@flotilla/argo-spec';
import type { MeasurementRequest } from '@flotilla/protocol';
import type { DueMeasurement } from '@flotilla/queues';
import { isRecordId } from '@flotilla/stores';

/**
 * How long past its timeout an agent's answer is still waited for: the gateway hands on the answers it gathered
 * by then, and the sweep records a measurement as unanswered only after twice as long, so that it never races them.
 */
export const ANSWER_GRACE_MS = 5_000;

/** Request ids are `<run id>.<metric>.<index>`, so that an answer names the measurement it belongs to. */
export const measurementRequestId = (runId: string, measurement: DueMeasurement): string =>
  `${runId}.${measurement.metricName}.${measurement.index}`;

/** What an agent is asked for measurement `index` of a metric of a run, to be answered within `timeoutSeconds`. */
export function measurementRequest(
  run: { id: string; name: string; namespace: string },
  measurement: DueMeasurement & { metric: Metric },
  timeoutSeconds: number,
): MeasurementRequest {
  return {
    requestId: measurementRequestId(run.id, measurement),
    run: { name: run.name, namespace: run.namespace, uid: run.id },
    metric: measurement.metric,
    measurementIndex: measurement.index + 1,
    timeoutSeconds,
  };
}

/** Where an agent's answer belongs: the measurement its request id names. */
export function measurementOfRequest(requestId: string): (DueMeasurement & { runId: string }) | undefined {
  const match = /^(.{36})\.(.+)\.(\d+)$/.exec(requestId);
  const runId = match?.[1];
  return match && runId !== undefined && isRecordId(runId) ? { runId, metricName: match[2] as string, index: Number(match[3]) } : undefined;
}
