import { describe, expect, it } from 'vitest';
import { isFleetReconcileJobData, memberChangedJobId } from './fleet-reconcile-queue.js';
import { versionJobId, wakeUpJobId } from './trigger-queue.js';

const releaseId = '0190a0c0-0000-7000-8000-000000000001';
const rolloutId = '0190a0c0-0000-7000-8000-000000000002';

describe('fleet reconcile job ids', () => {
  it('name a release at a version, at a time, and at a version of one of its member rollouts', () => {
    expect(versionJobId(releaseId, 3)).toBe(`${releaseId}.v3`);
    expect(wakeUpJobId(releaseId, new Date(1_700_000_000_000))).toBe(`${releaseId}.t1700000000000`);
    expect(memberChangedJobId(releaseId, rolloutId, 7)).toBe(`${releaseId}.r${rolloutId}.v7`);
  });
});

describe('isFleetReconcileJobData', () => {
  it.each([
    [{ fleetReleaseId: releaseId }, true],
    [{ fleetReleaseId: '' }, false],
    [{ fleetReleaseId: 4 }, false],
    [{ rolloutId }, false],
    [null, false],
    ['fleet', false],
  ])('%j → %s', (value, expected) => {
    expect(isFleetReconcileJobData(value)).toBe(expected);
  });
});
