import { nextPeriod, periodAt, type FreezePeriod } from '@flotilla/freeze-windows';
import { breakGlassState, type BreakGlassRecord, type FreezeWindowRecord } from '@flotilla/stores';
import { BreakGlassState, type BreakGlassOverrideModel, type FreezePeriodModel, type FreezeWindowModel } from './freezes.models.js';

export function toFreezePeriodModel(period: FreezePeriod): FreezePeriodModel {
  return { window: period.window, reason: period.reason, policy: period.policy, start: period.start, end: period.end };
}

/** A window as applied, with the period in effect at `now` and the next one to start after it. */
export function toFreezeWindowModel(record: FreezeWindowRecord, now: Date): FreezeWindowModel {
  const { spec } = record;
  const window = { name: record.name, spec };
  const current = periodAt(window, now);
  const next = nextPeriod(window, now);
  return {
    id: record.id,
    name: record.name,
    labels: record.labels,
    annotations: record.annotations,
    spec,
    reason: spec.reason,
    policy: spec.policy ?? 'finish',
    schedule: spec.schedule ?? null,
    start: spec.start === undefined ? null : new Date(spec.start),
    end: spec.end === undefined ? null : new Date(spec.end),
    clusterSelector: spec.clusterSelector ?? null,
    namespaces: spec.namespaces ?? null,
    generation: record.generation,
    appliedBy: record.appliedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    current: current && toFreezePeriodModel(current),
    next: next && toFreezePeriodModel(next),
  };
}

const STATES: Record<ReturnType<typeof breakGlassState>, BreakGlassState> = {
  PendingConfirmation: BreakGlassState.PendingConfirmation,
  Active: BreakGlassState.Active,
  Expired: BreakGlassState.Expired,
  Revoked: BreakGlassState.Revoked,
};

export function toBreakGlassModel(record: BreakGlassRecord, now: Date): BreakGlassOverrideModel {
  return {
    id: record.id,
    targetType: record.targetType,
    target: record.targetName,
    reason: record.reason,
    durationSeconds: record.durationSeconds,
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    confirmedBy: record.confirmedBy,
    confirmedAt: record.confirmedAt,
    expiresAt: record.expiresAt,
    state: STATES[breakGlassState(record, now)],
  };
}
