import { describe, expect, it } from 'vitest';
import { memberChangedJobId } from './fleet-reconcile-queue.js';
import { isWakeUpJobId, runPhaseJobId, versionJobId, wakeUpJobId } from './trigger-queue.js';

const rowId = '0190a0c0-0000-7000-8000-000000000001';
const rolloutId = '0190a0c0-0000-7000-8000-000000000002';

describe('isWakeUpJobId', () => {
  it.each([
    [wakeUpJobId(rowId, new Date(1_700_000_000_000)), true],
    [versionJobId(rowId, 3), false],
    [versionJobId(rowId, 0), false],
    [memberChangedJobId(rowId, rolloutId, 7), false],
    [runPhaseJobId(rowId, 3, rolloutId, 'Successful'), false],
  ])('%s → %s', (jobId, expected) => {
    expect(isWakeUpJobId(jobId)).toBe(expected);
  });
});
