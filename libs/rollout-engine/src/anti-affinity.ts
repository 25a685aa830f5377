import type { AntiAffinity, JsonValue, PodTemplateSpec, RolloutSpec } from '@flotilla/argo-spec';
import { POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';

const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';

const antiAffinityOf = (spec: RolloutSpec): AntiAffinity | undefined => {
  const configured = spec.strategy.canary?.antiAffinity ?? spec.strategy.blueGreen?.antiAffinity;
  return configured?.preferredDuringSchedulingIgnoredDuringExecution !== undefined ||
    configured?.requiredDuringSchedulingIgnoredDuringExecution !== undefined
    ? configured
    : undefined;
};

const isJsonObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asRecord = (value: unknown): Record<string, JsonValue> => (isJsonObject(value) ? value : {});

const asList = (value: JsonValue | undefined): JsonValue[] => (Array.isArray(value) ? value : []);

/**
 * The pod template of the new revision's ReplicaSet with upstream's injected anti-affinity: while a stable revision
 * runs, its pods repel the new ones from their nodes, preferred (with the configured weight) or required. Without
 * `antiAffinity`, or with no other stable revision, the template is returned as it is.
 * @example antiAffinity { requiredDuringSchedulingIgnoredDuringExecution: {} }, stable 'abc' → affinity.podAntiAffinity
 *   .requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'rollouts-pod-template-hash',
 *   operator: 'In', values: ['abc'] }] }, topologyKey: 'kubernetes.io/hostname' }]
 */
export function withStableAntiAffinity(
  template: PodTemplateSpec,
  spec: RolloutSpec,
  stableHash: string | undefined,
  hash: string,
): PodTemplateSpec {
  const antiAffinity = antiAffinityOf(spec);
  if (antiAffinity === undefined || stableHash === undefined || stableHash === hash) return template;
  const term: JsonValue = {
    labelSelector: { matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: [stableHash] }] },
    topologyKey: HOSTNAME_TOPOLOGY_KEY,
  };
  const affinity = asRecord(template.spec.affinity);
  const podAntiAffinity = asRecord(affinity.podAntiAffinity);
  const preferred = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  const kind =
    preferred === undefined ? 'requiredDuringSchedulingIgnoredDuringExecution' : 'preferredDuringSchedulingIgnoredDuringExecution';
  const entry: JsonValue = preferred === undefined ? term : { weight: preferred.weight, podAffinityTerm: term };
  const injected: Record<string, JsonValue> = { ...podAntiAffinity, [kind]: [...asList(podAntiAffinity[kind]), entry] };
  return { ...template, spec: { ...template.spec, affinity: { ...affinity, podAntiAffinity: injected } } };
}
