import type { PageInfo, RolloutRef } from './queries.js';

/** GraphQL documents of freeze windows and break-glass overrides, with the shapes they read back (see apps/api/schema.gql). */

export interface FreezePeriod {
  window: string;
  reason: string;
  policy: string;
  start: string;
  end: string;
}

export interface FreezeWindowRow {
  name: string;
  reason: string;
  policy: string;
  schedule: string | null;
  start: string | null;
  end: string | null;
  clusterSelector: unknown;
  namespaces: string[] | null;
  generation: number;
  appliedBy: string;
  createdAt: string;
  updatedAt: string;
  current: FreezePeriod | null;
  next: FreezePeriod | null;
}

const PERIOD_FIELDS = 'window reason policy start end';
const WINDOW_FIELDS = `name reason policy schedule start end clusterSelector namespaces generation appliedBy createdAt updatedAt current { ${PERIOD_FIELDS} } next { ${PERIOD_FIELDS} }`;

export const FREEZE_WINDOWS = `query { freezeWindows { ${WINDOW_FIELDS} } }`;
export const FREEZE_WINDOW = `query($name: String!) { freezeWindow(name: $name) { ${WINDOW_FIELDS} } }`;

export type BreakGlassState = 'PendingConfirmation' | 'Active' | 'Expired' | 'Revoked';

export interface BreakGlassOverride {
  id: string;
  targetType: string;
  target: string;
  reason: string;
  durationSeconds: number;
  requestedBy: string;
  requestedAt: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
  expiresAt: string | null;
  state: BreakGlassState;
}

const OVERRIDE_FIELDS = 'id targetType target reason durationSeconds requestedBy requestedAt confirmedBy confirmedAt expiresAt state';

/** `breakGlass`'s target: exactly one of a rollout and a FleetRollout (its active release). */
export type BreakGlassTarget = { rollout: RolloutRef } | { fleetRollout: string };

export const BREAK_GLASS = `mutation($target: BreakGlassTarget!, $reason: String!, $durationSeconds: Int!) {
  override: breakGlass(target: $target, reason: $reason, durationSeconds: $durationSeconds) { ${OVERRIDE_FIELDS} }
}`;
export const CONFIRM_BREAK_GLASS = `mutation($id: ID!) { override: confirmBreakGlass(id: $id) { ${OVERRIDE_FIELDS} } }`;
export const REVOKE_BREAK_GLASS = `mutation($id: ID!, $reason: String) { override: revokeBreakGlass(id: $id, reason: $reason) { ${OVERRIDE_FIELDS} } }`;

export interface BreakGlassOverridePage {
  nodes: BreakGlassOverride[];
  pageInfo: PageInfo;
}

export const BREAK_GLASS_OVERRIDES = `query($page: PageInput) {
  breakGlassOverrides(page: $page) { nodes { ${OVERRIDE_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;
