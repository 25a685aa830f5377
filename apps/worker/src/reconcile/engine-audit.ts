import type { ExperimentEvent, RolloutEvent, RolloutStatus } from '@flotilla/rollout-engine';
import { rolloutTargetName, type AuditEntry } from '@flotilla/stores';

export const ENGINE_ACTOR = 'engine';

/** The transitions of a reconcile worth an audit record: phase changes and the engine's release events. */
export function engineAuditEntries(
  target: { targetName: string; targetId: string },
  before: RolloutStatus | undefined,
  after: RolloutStatus,
  events: readonly RolloutEvent[],
): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const entry = (action: string, details: Partial<AuditEntry>): AuditEntry => ({
    actor: ENGINE_ACTOR,
    action,
    targetType: 'Rollout',
    ...target,
    ...details,
  });
  if (!before || before.phase !== after.phase || before.message !== after.message) {
    entries.push(
      entry('rollout.status_changed', {
        before: before ? { phase: before.phase, message: before.message } : null,
        after: { phase: after.phase, message: after.message, currentStepIndex: after.currentStepIndex ?? null },
      }),
    );
  }
  for (const event of events) {
    switch (event.type) {
      case 'ScalingReplicaSet':
      case 'TrafficWeightUpdated':
        // Frequent and fully described by the status and desired state; the cluster's own events record them.
        break;
      case 'RevisionStarted':
        entries.push(entry('rollout.revision_started', { after: event }));
        break;
      case 'RevisionFinished':
        entries.push(entry('rollout.revision_finished', { after: event }));
        break;
      case 'RolloutStepCompleted':
        entries.push(entry('rollout.step_completed', { after: event }));
        break;
      case 'RolloutPaused':
        entries.push(entry('rollout.paused', { after: event }));
        break;
      case 'RolloutResumed':
        entries.push(entry('rollout.resumed', { after: event }));
        break;
      case 'RolloutAborted':
        entries.push(entry('rollout.aborted', { after: event }));
        break;
      case 'RolloutRetried':
        entries.push(entry('rollout.retried', { after: event }));
        break;
      case 'RolloutCompleted':
        entries.push(entry('rollout.completed', { after: event }));
        break;
      case 'ProgressDeadlineExceeded':
        entries.push(entry('rollout.progress_deadline_exceeded', { after: event }));
        break;
      case 'ServiceSelectorSwitched':
        entries.push(entry('rollout.service_switched', { after: event }));
        break;
      case 'RolloutRestarted':
        entries.push(entry('rollout.restarted', { after: event }));
        break;
    }
  }
  return entries;
}

/** An experiment's phase and template transitions, recorded against the experiment. */
export function experimentAuditEntries(clusterName: string, namespace: string, events: readonly ExperimentEvent[]): AuditEntry[] {
  return events.map((event) => ({
    actor: ENGINE_ACTOR,
    action: event.type === 'ExperimentPhaseChanged' ? 'experiment.phase_changed' : 'experiment.template_changed',
    targetType: 'Experiment',
    targetName: rolloutTargetName(clusterName, namespace, event.experiment),
    before: event.from === undefined ? null : { phase: event.from },
    after:
      event.type === 'ExperimentPhaseChanged'
        ? { phase: event.to, message: event.message }
        : { template: event.template, status: event.to, message: event.message },
  }));
}
