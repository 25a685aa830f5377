import type { Decision, RevisionOutcome, RolloutStatus } from './types.js';

/** Where a release stands in the history: still under way, or one of the outcomes it can come to. */
export type RevisionState = 'Progressing' | RevisionOutcome;

/**
 * What the release of the current revision has come to, read from the status alone so that every view agrees with
 * it: `Aborted` while aborted (a retry takes it back to `Progressing`), `Healthy` once it is the stable revision and
 * healthy, `Progressing` while it is being rolled out. Undefined while a stable revision is not healthy: that says
 * nothing new of its release (a first deployment is still progressing, a released one stays released).
 * @example currentRevisionState({ ...status, abort: true }) === 'Aborted'
 */
export function currentRevisionState(status: RolloutStatus): RevisionState | undefined {
  if (status.abort) return 'Aborted';
  if (status.stableRS !== status.currentPodHash) return 'Progressing';
  return status.phase === 'Healthy' ? 'Healthy' : undefined;
}

/** What one decision changes in the release history, a record per revision. */
export interface ReleaseHistoryChanges {
  started: { revision: number; podTemplateHash: string; images: string[] }[];
  /** Revisions left behind by a new one, closed with the outcome they came to (superseded, rolled back). */
  finished: { revision: number; outcome: RevisionOutcome }[];
  /** The state of the current revision (the newest one of its pod template hash), when the status says one. */
  current: { podTemplateHash: string; state: RevisionState } | undefined;
}

/**
 * The release history a decision writes. The current revision's record always follows its status, so an abort that
 * was retried and promoted ends `Healthy`; revisions left behind keep the outcome the engine gave them on leaving.
 * @example releaseHistoryChanges(decisionOfARetry).current // → { podTemplateHash: 'abc', state: 'Progressing' }
 */
export function releaseHistoryChanges({ status, events }: Pick<Decision, 'status' | 'events'>): ReleaseHistoryChanges {
  const changes: ReleaseHistoryChanges = { started: [], finished: [], current: undefined };
  for (const event of events) {
    if (event.type === 'RevisionStarted') {
      changes.started.push({ revision: event.revision, podTemplateHash: event.podTemplateHash, images: event.images });
    } else if (event.type === 'RevisionFinished' && event.podTemplateHash !== status.currentPodHash) {
      changes.finished.push({ revision: event.revision, outcome: event.outcome });
    }
  }
  const state = currentRevisionState(status);
  if (state !== undefined) changes.current = { podTemplateHash: status.currentPodHash, state };
  return changes;
}
