import type { DesiredExperimentService, DesiredServicePort, RolloutKey } from '@flotilla/protocol';
import type { ServiceObject, ServicePort } from '../kube/kube-object.js';
import { exactMapPatch, sameJson, withOwnershipLabels } from './ownership.js';

const experimentServiceLabels = (rollout: RolloutKey, desired: DesiredExperimentService): Record<string, string> =>
  withOwnershipLabels(rollout, desired.labels);

/** The fields of a port the agent writes; the API server's defaults and anything else are left out of comparisons. */
const writtenPortFields = (port: ServicePort | DesiredServicePort): ServicePort => ({
  name: port.name,
  protocol: port.protocol,
  port: port.port,
  targetPort: port.targetPort,
});

/** The Service the agent creates for an experiment template. */
export function experimentServiceManifest(rollout: RolloutKey, desired: DesiredExperimentService): ServiceObject {
  return {
    metadata: { name: desired.name, namespace: rollout.namespace, labels: experimentServiceLabels(rollout, desired) },
    spec: { type: 'ClusterIP', selector: { ...desired.selector }, ports: desired.ports.map(writtenPortFields) },
  };
}

/**
 * The merge patch that brings an existing experiment Service to the desired one: labels and selector exactly, ports
 * replaced as a whole (a merge patch replaces lists). Undefined when nothing differs.
 * @example experimentServicePatch(rollout, { …spec: { selector: { app: 'web', old: 'x' }, ports } }, { …selector: { app: 'web' }, ports })
 * // → { spec: { selector: { old: null } } }
 */
export function experimentServicePatch(
  rollout: RolloutKey,
  existing: ServiceObject,
  desired: DesiredExperimentService,
): object | undefined {
  const labels = exactMapPatch(existing.metadata.labels, experimentServiceLabels(rollout, desired));
  const selector = exactMapPatch(existing.spec.selector, desired.selector);
  const ports = desired.ports.map(writtenPortFields);
  const portsDiffer = !sameJson((existing.spec.ports ?? []).map(writtenPortFields), ports);
  const spec = { ...(selector ? { selector } : {}), ...(portsDiffer ? { ports } : {}) };
  const patch = { ...(labels ? { metadata: { labels } } : {}), ...(Object.keys(spec).length > 0 ? { spec } : {}) };
  return Object.keys(patch).length === 0 ? undefined : patch;
}
