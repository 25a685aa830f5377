import { toJson, type BreakGlassNotice, type JsonObject } from '@flotilla/notifications';
import { breakGlassState, type BreakGlassRecord } from '../freezes/break-glass-store.js';
import type { FreezeWindowRecord } from '../freezes/freeze-window-store.js';
import type { SubjectChange } from './notification-decider.js';

/** A break-glass override just requested or confirmed, and one FreezeWindow whose freeze it breaks. */
export interface BreakGlassChange {
  freezeWindow: FreezeWindowRecord;
  override: BreakGlassRecord;
  now: Date;
}

/**
 * A break-glass override as the change its notifications are decided on: the FreezeWindow it breaks is the subscribed
 * object (its annotations, its labels for `subscriptions`), configured by the organization only. An override awaiting
 * a second admin fires `on-freeze-break-glass-requested`, one in effect `on-freeze-break-glass`; the override's id and
 * that state identify the change, so that a request retried stores nothing twice.
 */
export function breakGlassChange({ freezeWindow, override, now }: BreakGlassChange): SubjectChange {
  const notice: BreakGlassNotice = override.expiresAt === null ? 'Requested' : 'Effective';
  return {
    organizationId: override.organizationId,
    subject: { kind: 'FreezeWindow', id: freezeWindow.id, name: freezeWindow.name, placement: undefined },
    annotations: freezeWindow.annotations,
    changeId: `${override.id}/${notice}/${freezeWindow.name}`,
    events: [{ source: 'breakGlass', notice }],
    planSubject: () => ({ kind: 'FreezeWindow', freezeWindow: freezeWindowObject(freezeWindow), override: overrideObject(override, now) }),
    now,
  };
}

/** The FreezeWindow as templates read it: `.freezeWindow.metadata.name`, `.freezeWindow.spec.reason`, … */
function freezeWindowObject(freezeWindow: FreezeWindowRecord): JsonObject {
  return toJson({
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FreezeWindow',
    metadata: {
      name: freezeWindow.name,
      uid: freezeWindow.id,
      generation: freezeWindow.generation,
      labels: freezeWindow.labels,
      annotations: freezeWindow.annotations,
      creationTimestamp: freezeWindow.createdAt.toISOString(),
    },
    spec: freezeWindow.spec,
  });
}

/** The override as templates read it: `.override.reason`, `.override.requestedBy`, `.override.expiresAt`, … */
function overrideObject(override: BreakGlassRecord, now: Date): JsonObject {
  return toJson({
    id: override.id,
    state: breakGlassState(override, now),
    targetType: override.targetType,
    targetName: override.targetName,
    reason: override.reason,
    durationSeconds: override.durationSeconds,
    requestedBy: override.requestedBy,
    requestedAt: override.requestedAt.toISOString(),
    confirmedBy: override.confirmedBy,
    confirmedAt: override.confirmedAt?.toISOString() ?? null,
    expiresAt: override.expiresAt?.toISOString() ?? null,
  });
}
