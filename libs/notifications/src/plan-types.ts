import type { AnalysisPhase } from '@flotilla/analysis';
import type { ReleaseEvent, ReleaseStatus } from '@flotilla/fleet-engine';
import type { RolloutEvent } from '@flotilla/rollout-engine';
import type { NotificationConfiguration } from './configuration-types.js';
import type { JsonObject } from './json.js';

/** Something that happened in one state change, as the engines report it. */
export type NotificationEvent =
  | { source: 'rollout'; event: RolloutEvent }
  | { source: 'analysisRun'; run: string; from: AnalysisPhase | undefined; to: AnalysisPhase }
  | { source: 'fleetRelease'; event: ReleaseEvent }
  | { source: 'breakGlass'; notice: BreakGlassNotice };

/** What a break-glass override of freezes became: `Requested` awaits a second admin, `Effective` lifts the freeze. */
export type BreakGlassNotice = 'Requested' | 'Effective';

/**
 * The object the state change is about, as templates and conditions see it after the change: the Rollout as a
 * Kubernetes object (`.rollout.metadata.name`, `.rollout.status.currentStepIndex`, …) with the analysis runs of its
 * current revision (`.analysisRuns`, newest first), a FleetRollout with its release, or a FreezeWindow with the
 * break-glass override that breaks it (`.freezeWindow`, `.override`). Subscriptions come from the
 * object's `metadata.annotations`, `subscriptions` selectors match its `metadata.labels`.
 */
export type NotificationSubject =
  | { kind: 'Rollout'; rollout: JsonObject; analysisRuns: JsonObject[] }
  | { kind: 'FleetRollout'; fleetRollout: JsonObject; release: ReleaseStatus }
  | { kind: 'FreezeWindow'; freezeWindow: JsonObject; override: JsonObject };

/** What a template renders to. */
export interface RenderedNotification {
  message: string;
  title?: string;
  /** Per-service blocks by service type, every string leaf rendered (`{ slack: { attachments: '[…]' } }`). */
  fields: Record<string, JsonObject>;
}

/** One notification to deliver to one recipient of one service. */
export interface PlannedNotification {
  trigger: string;
  /** The service's configured name (`slack`, `github` of `service.webhook.github`). */
  service: string;
  serviceType: string;
  recipient: string;
  /**
   * Identifies the notification across retries of the same decision (`changeId`): one delivery per key. What keeps a
   * `when` or `oncePer` notification from being sent again by a later change is the subject's history
   * (`NotificationPlan.remember`), not this key.
   */
  dedupeKey: string;
  notification: RenderedNotification;
}

/** A notification that a subscription asked for but that could not be made. */
export interface NotificationFailure {
  trigger: string;
  service: string;
  recipient: string;
  /** `trigger/unknown`, `template/unknown`, `template/render`, `condition/evaluation`, `service/unknown`. */
  code: NotificationFailureCode;
  message: string;
}

export type NotificationFailureCode =
  'trigger/unknown' | 'template/unknown' | 'template/render' | 'condition/evaluation' | 'service/unknown';

export interface NotificationPlanInput {
  /** Identifies the state change (e.g. the rollout's id and status version): the same change gives the same keys. */
  changeId: string;
  events: NotificationEvent[];
  subject: NotificationSubject;
  /** What the subject sees: the default catalog, its organization's configuration and its namespace's (`effectiveConfiguration`). */
  configuration: NotificationConfiguration;
  /** Keys remembered for this subject from earlier decisions (`NotificationPlan.remember`). */
  history: ReadonlySet<string>;
  /** What `.time.Now` answers. */
  now: Date;
}

/** The notifications a state change causes, and what to remember for the next one. Never performs anything. */
export interface NotificationPlan {
  notifications: PlannedNotification[];
  /** Keys to add to the subject's history: `oncePer` values sent, conditions that became true. */
  remember: string[];
  /** Keys to drop from the history: conditions that became false again, so that they notify the next time. */
  forget: string[];
  failures: NotificationFailure[];
}
