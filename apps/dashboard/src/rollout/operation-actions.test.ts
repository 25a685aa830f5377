import { describe, expect, it } from 'vitest';
import type { RolloutProgress } from '../api/documents.js';
import { unavailableReason, type OperationAction } from './operation-actions.js';

type ActionProgress = Parameters<typeof unavailableReason>[1];

const progressOf = (
  overrides: Partial<Pick<RolloutProgress, 'fullyPromoted' | 'updateInProgress'>> & {
    aborted?: boolean;
    specPaused?: boolean;
    pauseReasons?: string[];
  },
): ActionProgress => ({
  fullyPromoted: overrides.fullyPromoted ?? false,
  updateInProgress: overrides.updateInProgress ?? true,
  abort: { aborted: overrides.aborted ?? false },
  pause: { specPaused: overrides.specPaused ?? false, conditions: (overrides.pauseReasons ?? []).map((reason) => ({ reason })) },
});

describe('unavailableReason', () => {
  const paused = progressOf({ pauseReasons: ['CanaryPauseStep'] });
  const aborted = progressOf({ aborted: true });
  const healthy = progressOf({ fullyPromoted: true, updateInProgress: false });
  it.each<[string, ActionProgress, OperationAction[]]>([
    ['paused at a step', paused, ['retry']],
    ['aborted', aborted, ['promote', 'promote-full', 'abort', 'resume']],
    ['fully promoted', healthy, ['promote', 'promote-full', 'abort', 'retry', 'resume']],
  ])('when %s, leaves out %j', (_, progress, unavailable) => {
    const actions: OperationAction[] = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume', 'restart', 'undo'];
    expect(actions.filter((action) => unavailableReason(action, progress, 2) !== undefined)).toEqual(unavailable);
  });

  it('needs an earlier revision to undo, and refuses to pause twice', () => {
    expect(unavailableReason('undo', healthy, 1)).toBe('There is no earlier revision to go back to.');
    expect(unavailableReason('pause', progressOf({ specPaused: true }), 2)).toBe('The rollout is already paused.');
  });
});
