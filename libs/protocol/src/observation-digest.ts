import { canonicalJson } from './canonical-json.js';
import type { ObservedRolloutState } from './observed-state.js';

/** SHA-256 of a text, in hex; it comes from the platform (`node:crypto` in the agent and the control plane). */
export type Sha256Hex = (text: string) => string;

/**
 * The digest of an observation that `observedDigests` carries and the control plane keeps beside the observation it
 * stored: SHA-256 (hex) of the canonical JSON of everything but its time, so that two observations the control plane
 * would take as the same (it ignores `observedAt`, key order and absent keys) have the same digest.
 * @example observationDigest({ replicaSets: [], serviceSelectors: { web: undefined }, trafficWeights: {}, observedAt: 'x' }, sha256)
 * // => sha256('{"replicaSets":[],"serviceSelectors":{},"trafficWeights":{}}')
 */
export function observationDigest(state: ObservedRolloutState, sha256Hex: Sha256Hex): string {
  const { observedAt: _time, ...changing } = state;
  return sha256Hex(canonicalJson(changing));
}
