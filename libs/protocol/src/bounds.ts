/**
 * The limits every message from an agent is held to, so that no field an agent sends can cost the control plane
 * more than its purpose needs. Names follow Kubernetes' rules: a namespace is a DNS-1123 label, a name a DNS-1123
 * subdomain.
 */
export const AGENT_MESSAGE_BOUNDS = {
  /** Any string anywhere in a message (an annotation value, a raw metric value, an error). */
  stringLength: 64 * 1024,
  /** Any array or object anywhere in a message: its items or keys. */
  entries: 10_000,
  /** Nesting of arrays and objects. */
  depth: 32,
  /** Short identifying strings: `agentVersion`, `kubernetesVersion`, times. */
  shortStringLength: 128,
  namespaceLength: 63,
  nameLength: 253,
  requestIdLength: 512,
  /** An observation's digest in `observedDigests` (SHA-256 in hex is 64). */
  digestLength: 128,
  /** `desiredVersion`, stored as a 32-bit integer. */
  maxDesiredVersion: 2_147_483_647,
  replicaSetsPerObservation: 256,
  podProblemsPerReplicaSet: 64,
  /** Pods reported of one ReplicaSet; the rest are counted in `podsOmitted`. */
  podsPerReplicaSet: 32,
  /** Events reported of one rollout, the newest. */
  eventsPerObservation: 20,
  /** An Event's message, cut by the agent beyond it. */
  eventMessageLength: 1024,
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored or logged as it is (a NUL byte, a lone surrogate, its length), or undefined. */
export function stringProblem(value: string, maxLength: number = AGENT_MESSAGE_BOUNDS.stringLength): string | undefined {
  if (value.length > maxLength) return `must be at most ${maxLength} characters, got ${value.length}`;
  if (value.includes('\u0000')) return 'must not contain NUL';
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone surrogate';
  return undefined;
}

/**
 * @example isNamespace('shop') // true
 *          isNamespace('Shop') // false (upper case), isNamespace('a'.repeat(64)) // false (over 63)
 */
export const isNamespace = (value: string): boolean => value.length <= AGENT_MESSAGE_BOUNDS.namespaceLength && DNS_LABEL.test(value);

/** @example isObjectName('checkout.v2') // true, isObjectName('check out') // false */
export const isObjectName = (value: string): boolean => value.length <= AGENT_MESSAGE_BOUNDS.nameLength && DNS_SUBDOMAIN.test(value);

/** A safe, non-negative integer: a count of replicas, pods or a weight. */
export const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
