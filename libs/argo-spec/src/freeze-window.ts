/**
 * Flotilla's own kind: a `FreezeWindow` names times when releases wait, for some clusters and namespaces of the
 * organization. It belongs to the organization, not to a cluster namespace, like a FleetRollout.
 */
import { FLEET_API_VERSION } from './fleet-rollout.js';
import type { LabelSelector } from './types.js';

export const FREEZE_WINDOW_KIND = 'FreezeWindow';

export const FREEZE_POLICIES = ['finish', 'hold'] as const;

/**
 * What a release already under way does in a window: `finish` carries on to its end (only new revisions and waves
 * wait), `hold` stops its automatic progress (timed pauses, steps, analysis steps, promotion) until the window ends.
 */
export type FreezePolicy = (typeof FREEZE_POLICIES)[number];

export const DEFAULT_FREEZE_POLICY: FreezePolicy = 'finish';

/** `spec` of a `FreezeWindow`: either a recurring `schedule` or a fixed `start` and `end`. */
export interface FreezeWindowSpec {
  /** Why releases wait: shown with every hold and refusal. */
  reason: string;
  /**
   * RFC 5545 lines: `DTSTART;TZID=<IANA zone>:YYYYMMDDTHHMMSS` (or `DTSTART:YYYYMMDDTHHMMSSZ`), an optional
   * `RRULE:…` and `DURATION:…`. Occurrences keep their local wall-clock start across daylight saving changes.
   */
  schedule?: string;
  /** RFC 3339: a window that happens once. */
  start?: string;
  /** RFC 3339, after `start`. */
  end?: string;
  /** Default `finish`. */
  policy?: FreezePolicy;
  /** No selector: every cluster of the organization. */
  clusterSelector?: LabelSelector;
  /** No list: every namespace. */
  namespaces?: string[];
}

export interface FreezeWindowManifest {
  apiVersion: typeof FLEET_API_VERSION;
  kind: typeof FREEZE_WINDOW_KIND;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: FreezeWindowSpec;
}
