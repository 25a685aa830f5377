import type { AnalysisPhase } from '@flotilla/analysis';
import type { ReleaseEvent, ReleaseEventType, ReleaseStatus } from '@flotilla/fleet-engine';
import type { RolloutEvent } from '@flotilla/rollout-engine';
import type { BreakGlassNotice, NotificationEvent, NotificationSubject } from './plan-types.js';

/**
 * Argo's trigger name for a Kubernetes event reason: `RolloutStepCompleted` → `on-rollout-step-completed`,
 * `AnalysisRunFailed` → `on-analysis-run-failed` (its `translateReasonToTrigger`).
 */
export function triggerForReason(reason: string): string {
  const words = reason.replace(/(.)([A-Z][a-z]+)/g, '$1-$2').replace(/([a-z0-9])([A-Z])/g, '$1-$2');
  return `on-${words.toLowerCase()}`;
}

/** The event reasons Argo records for what the rollout engine reports, where Argo's name differs from ours. */
const ARGO_ROLLOUT_REASONS: Partial<Record<RolloutEvent['type'], string>> = {
  RevisionStarted: 'RolloutUpdated',
  ServiceSelectorSwitched: 'SwitchService',
};

/** Engine events Argo records no event for. */
const SILENT_ROLLOUT_EVENTS: ReadonlySet<RolloutEvent['type']> = new Set(['RevisionFinished']);

const FLEET_TRIGGERS: Partial<Record<ReleaseEvent['type'], string>> = {
  WaveStarted: 'on-fleet-wave-started',
  WavePassed: 'on-fleet-wave-passed',
  ReleaseHalted: 'on-fleet-release-halted',
  ReleaseSucceeded: 'on-fleet-release-completed',
};

export const APPROVAL_REQUIRED_TRIGGER = 'on-approval-required';

/** The trigger a break-glass override fires on its FreezeWindow: once requested of a second admin, once in effect. */
export const BREAK_GLASS_TRIGGERS: Readonly<Record<BreakGlassNotice, string>> = {
  Requested: 'on-freeze-break-glass-requested',
  Effective: 'on-freeze-break-glass',
};

const ROLLOUT_EVENT_TYPES: Record<RolloutEvent['type'], true> = {
  RevisionStarted: true,
  RevisionFinished: true,
  RolloutStepCompleted: true,
  RolloutPaused: true,
  RolloutResumed: true,
  RolloutAborted: true,
  RolloutRetried: true,
  RolloutCompleted: true,
  ProgressDeadlineExceeded: true,
  ScalingReplicaSet: true,
  TrafficWeightUpdated: true,
  ServiceSelectorSwitched: true,
  RolloutRestarted: true,
};
const ANALYSIS_PHASES: Record<AnalysisPhase, true> = {
  Pending: true,
  Running: true,
  Successful: true,
  Failed: true,
  Error: true,
  Inconclusive: true,
};
const RELEASE_EVENT_TYPES: Record<ReleaseEventType, true> = {
  ReleaseStarted: true,
  WaveStarted: true,
  MemberChanged: true,
  MemberReleased: true,
  MemberFailed: true,
  MemberSkipped: true,
  MemberRetried: true,
  MemberRolledBack: true,
  GatePassed: true,
  GateFailed: true,
  WaveApproved: true,
  WavePromoted: true,
  WavePassed: true,
  WaveFailed: true,
  ReleasePaused: true,
  ReleaseResumed: true,
  ReleaseHalted: true,
  ReleaseRetried: true,
  RollbackStarted: true,
  ReleaseSucceeded: true,
  ReleaseAborted: true,
  ReleaseRolledBack: true,
  ReleaseSuperseded: true,
};

/**
 * Every trigger an event can fire. A subscribed trigger outside this set has no event of its own: its conditions
 * are evaluated on every change of the object instead, as Argo's notifications engine does for its triggers.
 */
export const EVENT_TRIGGERS: ReadonlySet<string> = new Set([
  ...(Object.keys(ROLLOUT_EVENT_TYPES) as Array<RolloutEvent['type']>)
    .filter((type) => !SILENT_ROLLOUT_EVENTS.has(type))
    .map((type) => triggerForReason(ARGO_ROLLOUT_REASONS[type] ?? type)),
  ...Object.keys(ANALYSIS_PHASES).map((phase) => triggerForReason(`AnalysisRun${phase}`)),
  ...(Object.keys(RELEASE_EVENT_TYPES) as ReleaseEventType[]).map((type) => FLEET_TRIGGERS[type] ?? triggerForReason(`Fleet${type}`)),
  APPROVAL_REQUIRED_TRIGGER,
  ...Object.values(BREAK_GLASS_TRIGGERS),
]);

/**
 * The triggers one event fires: the rollout engine's events under Argo's reasons, an analysis run's new phase as
 * `on-analysis-run-<phase>`, a fleet release's events as `on-fleet-…` (`ReleaseSucceeded` is
 * `on-fleet-release-completed`), `on-approval-required` when a wave's last gate before its approval passes, and a
 * break-glass override as `on-freeze-break-glass-requested` or `on-freeze-break-glass`.
 */
export function triggersForEvent(event: NotificationEvent, subject: NotificationSubject): string[] {
  switch (event.source) {
    case 'rollout':
      return SILENT_ROLLOUT_EVENTS.has(event.event.type)
        ? []
        : [triggerForReason(ARGO_ROLLOUT_REASONS[event.event.type] ?? event.event.type)];
    case 'analysisRun':
      return event.from === event.to ? [] : [triggerForReason(`AnalysisRun${event.to}`)];
    case 'fleetRelease': {
      const triggers = [FLEET_TRIGGERS[event.event.type] ?? triggerForReason(`Fleet${event.event.type}`)];
      if (subject.kind === 'FleetRollout' && approvalComesNext(event.event, subject.release)) triggers.push(APPROVAL_REQUIRED_TRIGGER);
      return triggers;
    }
    case 'breakGlass':
      return [BREAK_GLASS_TRIGGERS[event.notice]];
  }
}

function approvalComesNext(event: ReleaseEvent, release: ReleaseStatus): boolean {
  if (event.type !== 'GatePassed' || event.gate === undefined) return false;
  const gates = release.waves.find((wave) => wave.name === event.wave)?.gates ?? [];
  const passed = gates.findIndex((gate) => gate.gate === event.gate);
  const next = gates[passed + 1];
  return passed !== -1 && next?.gate === 'approval' && next.state !== 'Passed';
}

/** What templates see as `.event`: the event's own fields. */
export function eventVariables(event: NotificationEvent): Record<string, unknown> {
  switch (event.source) {
    case 'rollout':
      return { ...event.event };
    case 'analysisRun':
      return { type: `AnalysisRun${event.to}`, run: event.run, from: event.from ?? null, to: event.to };
    case 'fleetRelease':
      return { ...event.event };
    case 'breakGlass':
      return { type: `BreakGlass${event.notice}` };
  }
}
