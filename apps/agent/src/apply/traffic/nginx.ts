import { canaryIngressName, type DesiredTrafficRouting, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../../kube/cluster-state.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { isAlreadyExists } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { INGRESSES } from '../../kube/resources.js';
import { exactMapPatch, isOwnedBy, MissingObjectError, NotOwnedError, ownershipLabels, sameJson } from '../ownership.js';

const DEFAULT_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

interface IngressPath {
  backend: { service?: { name: string; port?: unknown } };
  [field: string]: unknown;
}

interface IngressRule {
  http?: { paths: IngressPath[] };
  [field: string]: unknown;
}

export interface IngressObject extends KubeObject {
  spec: { ingressClassName?: string; rules?: IngressRule[]; tls?: unknown[]; [field: string]: unknown };
}

export const stableIngressesOf = (routing: DesiredTrafficRouting): string[] => {
  const nginx = routing.routing.nginx;
  return nginx?.stableIngresses ?? (nginx?.stableIngress === undefined ? [] : [nginx.stableIngress]);
};

export const annotationPrefixOf = (routing: DesiredTrafficRouting): string =>
  routing.routing.nginx?.annotationPrefix ?? DEFAULT_ANNOTATION_PREFIX;

/**
 * The canary Ingress for one stable Ingress, as Argo Rollouts builds it: the stable Ingress's rules that use the
 * stable Service, switched to the canary Service, its TLS and class, and the canary annotations.
 * @example stable rules [{ host: 'shop.example', paths → web-stable }], canaryWeight 20
 * // → rules [{ host: 'shop.example', paths → web-canary }], annotations { …/canary: 'true', …/canary-weight: '20' }
 */
export function canaryIngressManifest(rollout: RolloutKey, stable: IngressObject, routing: DesiredTrafficRouting): IngressObject {
  const prefix = annotationPrefixOf(routing);
  const nginx = routing.routing.nginx ?? {};
  const rules: IngressRule[] = [];
  for (const rule of stable.spec.rules ?? []) {
    const paths = rule.http?.paths ?? [];
    if (!paths.some((path) => path.backend.service?.name === routing.stableService)) continue;
    const switched = paths.map((path) =>
      path.backend.service?.name === routing.stableService
        ? { ...path, backend: { ...path.backend, service: { ...path.backend.service, name: routing.canaryService ?? '' } } }
        : path,
    );
    rules.push({ ...rule, http: { ...rule.http, paths: switched } });
  }
  if (rules.length === 0)
    throw new MissingObjectError('Ingress rule using Service', rollout.namespace, `${stable.metadata.name}/${routing.stableService ?? ''}`);
  const annotations: Record<string, string> = {};
  const ingressClass = stable.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (ingressClass !== undefined) annotations[INGRESS_CLASS_ANNOTATION] = ingressClass;
  for (const [key, value] of Object.entries(nginx.additionalIngressAnnotations ?? {}))
    annotations[key.startsWith(prefix) ? key : `${prefix}/${key}`] = value;
  Object.assign(annotations, nginx.canaryIngressAnnotations);
  annotations[`${prefix}/canary`] = 'true';
  annotations[`${prefix}/canary-weight`] = String(routing.canaryWeight);
  const total = routing.routing.maxTrafficWeight;
  if (total !== undefined && total !== 100) annotations[`${prefix}/canary-weight-total`] = String(total);
  return {
    metadata: {
      name: canaryIngressName(rollout.name, stable.metadata.name),
      namespace: rollout.namespace,
      labels: ownershipLabels(rollout),
      annotations,
    },
    spec: {
      ...(stable.spec.ingressClassName === undefined ? {} : { ingressClassName: stable.spec.ingressClassName }),
      rules,
      ...(stable.spec.tls === undefined ? {} : { tls: stable.spec.tls }),
    },
  };
}

/** The merge patch from an existing canary Ingress to the desired one; undefined when they match. */
export function canaryIngressPatch(existing: IngressObject, desired: IngressObject): object | undefined {
  const annotations = exactMapPatch(existing.metadata.annotations, desired.metadata.annotations ?? {});
  const specMatches =
    sameJson(existing.spec.rules, desired.spec.rules) &&
    sameJson(existing.spec.tls, desired.spec.tls) &&
    existing.spec.ingressClassName === desired.spec.ingressClassName;
  if (annotations === undefined && specMatches) return undefined;
  return {
    ...(annotations ? { metadata: { annotations } } : {}),
    ...(specMatches
      ? {}
      : { spec: { ingressClassName: desired.spec.ingressClassName ?? null, rules: desired.spec.rules, tls: desired.spec.tls ?? null } }),
  };
}

/** Keeps one canary Ingress per stable Ingress at the desired weight. */
export class NginxApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    const ingresses = this.cluster.router(INGRESSES);
    await ingresses.whenSynced();
    let writes = 0;
    for (const stableName of stableIngressesOf(routing)) {
      const stable = ingresses.get(rollout.namespace, stableName) as IngressObject | undefined;
      if (stable === undefined) throw new MissingObjectError('Ingress', rollout.namespace, stableName);
      const desired = canaryIngressManifest(rollout, stable, routing);
      const name = desired.metadata.name;
      let existing = ingresses.get(rollout.namespace, name) as IngressObject | undefined;
      if (existing === undefined) {
        try {
          ingresses.remember(await this.kube.create(INGRESSES, rollout.namespace, desired));
          writes += 1;
          continue;
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
          existing = await this.kube.get<IngressObject>(INGRESSES, rollout.namespace, name);
          if (existing === undefined) continue;
        }
      }
      if (!isOwnedBy(existing, rollout)) throw new NotOwnedError('Ingress', rollout.namespace, name);
      const patch = canaryIngressPatch(existing, desired);
      if (patch === undefined) continue;
      ingresses.remember(await this.kube.mergePatch(INGRESSES, rollout.namespace, name, patch));
      writes += 1;
    }
    return writes;
  }
}
