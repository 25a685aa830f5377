import type { BreakGlassOverride, FleetRelease, FreezePeriod, FreezeWindow, Role } from '../api/documents.js';

/** A freeze and the member clusters of a fleet release it covers. */
export interface FrozenMembers {
  period: FreezePeriod;
  clusters: string[];
}

/**
 * The freezes covering the members of a release now (as each member Rollout's `freeze` says), one per window with the
 * clusters it covers, the one ending last first.
 * @example frozenMembers(release) → [{ period: { window: 'weekend', … }, clusters: ['prod-eu', 'prod-us'] }]
 */
export function frozenMembers(release: Pick<FleetRelease, 'waves'> | null): FrozenMembers[] {
  const byWindow = new Map<string, FrozenMembers>();
  for (const member of release?.waves.flatMap((wave) => wave.members) ?? []) {
    const freeze = member.rollout?.freeze;
    if (!freeze) continue;
    const entry = byWindow.get(freeze.window) ?? { period: freeze, clusters: [] };
    entry.clusters.push(member.cluster);
    byWindow.set(freeze.window, entry);
  }
  return [...byWindow.values()].sort((left, right) => Date.parse(right.period.end) - Date.parse(left.period.end));
}

/** What the overview says of freezes: those in effect now (ending last first) and the next one to start. */
export interface FreezeOutlook {
  current: FreezePeriod[];
  next: FreezePeriod | null;
}

/**
 * The periods in effect now and the earliest to start next, over every window of the organization.
 * @example freezeOutlook([weekend, newYear]) → { current: [], next: { window: 'weekend', start: '2026-12-11T15:00:00Z', … } }
 */
export function freezeOutlook(windows: readonly Pick<FreezeWindow, 'current' | 'next'>[]): FreezeOutlook {
  const current = windows
    .flatMap((window) => (window.current ? [window.current] : []))
    .sort((left, right) => Date.parse(right.end) - Date.parse(left.end));
  const next = windows
    .flatMap((window) => (window.next ? [window.next] : []))
    .reduce<FreezePeriod | null>(
      (earliest, period) => (earliest === null || Date.parse(period.start) < Date.parse(earliest.start) ? period : earliest),
      null,
    );
  return { current, next };
}

/** Who looks at an override: their role and how the audit names them (`token:<name>`). */
export interface Viewer {
  role: Role;
  actor: string;
}

/**
 * Which acts an override offers to this viewer: confirm when it waits for a second admin other than its requester,
 * revoke while pending or in effect; admins only.
 * @example overrideActions({ state: 'PendingConfirmation', requestedBy: 'token:alice' }, { role: 'admin', actor: 'token:bob' }, true)
 *   → { confirm: true, revoke: true }
 */
export function overrideActions(
  override: Pick<BreakGlassOverride, 'state' | 'requestedBy'>,
  viewer: Viewer,
  needsSecondAdmin: boolean,
): { confirm: boolean; revoke: boolean } {
  if (viewer.role !== 'admin') return { confirm: false, revoke: false };
  const pending = override.state === 'PendingConfirmation';
  return {
    confirm: pending && needsSecondAdmin && override.requestedBy !== viewer.actor,
    revoke: pending || override.state === 'Active',
  };
}
