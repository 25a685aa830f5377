import { describe, expect, it } from 'vitest';
import { measurementOfRequest, measurementRequestId } from './measurement-requests.js';

const RUN_ID = '01a2460b-8880-714d-b216-edb3bb6090e9';

describe('measurementOfRequest', () => {
  it('reads back the measurement a request id was made for, dots in the metric name included', () => {
    const requestId = measurementRequestId(RUN_ID, { metricName: 'p95.latency', index: 3 });
    expect(measurementOfRequest(requestId)).toEqual({ runId: RUN_ID, metricName: 'p95.latency', index: 3 });
  });

  it.each([
    ['a run id that is no UUID', `${'-'.repeat(36)}.success-rate.0`],
    ['a run id of other length', `${RUN_ID.slice(1)}.success-rate.0`],
    ['no index', `${RUN_ID}.success-rate`],
    ['no metric', `${RUN_ID}.0`],
  ])('names no measurement for %s', (_case, requestId) => {
    expect(measurementOfRequest(requestId)).toBeUndefined();
  });
});
