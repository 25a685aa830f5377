import { describe, expect, it } from 'vitest';
import { auditSteps, type RolloutAuditRecord } from './step-audit.js';

const started = (rolloutId: string): RolloutAuditRecord => ({ rolloutId, action: 'rollout.revision_started' });
const step = (rolloutId: string, stepIndex: number): RolloutAuditRecord => ({
  rolloutId,
  action: 'rollout.step_completed',
  stepIndex,
  stepCount: 3,
});
const completed = (rolloutId: string): RolloutAuditRecord => ({ rolloutId, action: 'rollout.completed' });

describe('auditSteps', () => {
  it('accepts every step once and in order, revisions of several rollouts interleaved', () => {
    const audit = auditSteps([
      started('a'),
      started('b'),
      step('a', 0),
      step('b', 0),
      step('a', 1),
      step('a', 2),
      completed('a'),
      step('b', 1),
    ]);
    expect(audit).toMatchObject({ revisionsStarted: 2, revisionsCompleted: 1, stepsCompleted: 5, lost: [], doubled: [] });
  });
  it('finds a step recorded twice in one revision', () => {
    expect(auditSteps([started('a'), step('a', 0), step('a', 0), step('a', 1), step('a', 2), completed('a')]).doubled).toHaveLength(1);
  });
  it('finds a step a completed revision never recorded, and one skipped over', () => {
    expect(auditSteps([started('a'), step('a', 0), step('a', 2), completed('a')]).lost).toEqual([
      'rollout a, revision 1 of the run: step 2 completed in position 2',
      'rollout a, revision 1 of the run: step 1 never completed',
    ]);
  });
  it('starts counting again with each revision', () => {
    const audit = auditSteps([started('a'), step('a', 0), started('a'), step('a', 0), step('a', 1), step('a', 2), completed('a')]);
    expect(audit).toMatchObject({ revisionsStarted: 2, lost: [], doubled: [] });
  });
});
