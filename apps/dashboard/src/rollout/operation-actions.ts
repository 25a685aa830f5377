import type { OperationMutation, RolloutProgress } from '../api/documents.js';

/** The buttons of a rollout; `promote-full` is the promote mutation with `full: true`. */
export type OperationAction = 'promote' | 'promote-full' | 'abort' | 'retry' | 'pause' | 'resume' | 'restart' | 'undo';

export interface OperationActionInfo {
  action: OperationAction;
  mutation: OperationMutation;
  label: string;
  /** What it does, shown in the confirmation dialog. */
  effect: string;
  destructive: boolean;
}

export const OPERATION_ACTIONS: readonly OperationActionInfo[] = [
  {
    action: 'promote',
    mutation: 'promote',
    label: 'Promote',
    effect: 'Skips the current pause or step and moves on to the next step.',
    destructive: false,
  },
  {
    action: 'promote-full',
    mutation: 'promote',
    label: 'Promote full',
    effect: 'Goes straight to 100%, skipping the remaining steps and analysis.',
    destructive: true,
  },
  {
    action: 'abort',
    mutation: 'abort',
    label: 'Abort',
    effect: 'Scales the stable revision back to full size and gives it all traffic.',
    destructive: true,
  },
  {
    action: 'retry',
    mutation: 'retry',
    label: 'Retry',
    effect: 'Starts the aborted update again from its first step.',
    destructive: false,
  },
  {
    action: 'pause',
    mutation: 'pause',
    label: 'Pause',
    effect: 'Holds the rollout where it is (spec.paused) until resumed.',
    destructive: false,
  },
  { action: 'resume', mutation: 'resume', label: 'Resume', effect: 'Lifts the pause and lets the rollout continue.', destructive: false },
  { action: 'restart', mutation: 'restart', label: 'Restart', effect: 'Recreates every pod, a few at a time.', destructive: true },
  {
    action: 'undo',
    mutation: 'undo',
    label: 'Undo',
    effect: 'Rolls back to the previous revision of the release history.',
    destructive: true,
  },
];

/**
 * Why an operation makes no sense in the rollout's present state, or `undefined` when it does. Lenient on purpose:
 * the engine has the last word and its refusals are shown in the operation history.
 * @example unavailableReason('retry', { ...progress, abort: { aborted: false } }, 2) === 'Only an aborted update can be retried.'
 */
export function unavailableReason(
  action: OperationAction,
  progress: Pick<RolloutProgress, 'fullyPromoted' | 'updateInProgress' | 'abort' | 'pause'>,
  revisionCount: number,
): string | undefined {
  const { aborted } = progress.abort;
  const { specPaused } = progress.pause;
  switch (action) {
    case 'promote':
    case 'promote-full':
      if (progress.fullyPromoted) return 'The current revision is already fully promoted.';
      return aborted ? 'The update was aborted; retry it first.' : undefined;
    case 'abort':
      if (aborted) return 'The update is already aborted.';
      return progress.updateInProgress ? undefined : 'No update is in progress.';
    case 'retry':
      return aborted ? undefined : 'Only an aborted update can be retried.';
    case 'pause':
      return specPaused ? 'The rollout is already paused.' : undefined;
    case 'resume':
      return specPaused || progress.pause.conditions.length > 0 ? undefined : 'The rollout is not paused.';
    case 'restart':
      return undefined;
    case 'undo':
      return revisionCount > 1 ? undefined : 'There is no earlier revision to go back to.';
  }
}
