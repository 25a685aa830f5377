import { FLEET_API_VERSION, FLEET_ROLLOUT_KIND, type FleetRolloutManifest } from './fleet-rollout.js';
import { FREEZE_WINDOW_KIND, type FreezeWindowManifest } from './freeze-window.js';
import { KUBERNETES_CORE_API_VERSION, NOTIFICATION_KINDS, type NotificationManifest } from './notification-documents.js';
import { ARGO_API_VERSION, ARGO_KINDS, type ArgoManifest } from './types.js';

/** Every document an apply accepts: Argo's kinds, which belong to a cluster namespace, and Flotilla's own. */
export type Manifest = ArgoManifest | FleetRolloutManifest | FreezeWindowManifest | NotificationManifest;

export type ManifestKind = Manifest['kind'];

/** A manifest with its name: an Experiment applied with a `generateName` only is given one when it is created. */
export type NamedManifest = Manifest & { metadata: { name: string } };

export const MANIFEST_KINDS = [
  ...ARGO_KINDS,
  FLEET_ROLLOUT_KIND,
  FREEZE_WINDOW_KIND,
  ...NOTIFICATION_KINDS,
] as const satisfies readonly ManifestKind[];

/** The kinds that belong to the organization: applied with no cluster or namespace. */
export const ORGANIZATION_SCOPED_KINDS = [FLEET_ROLLOUT_KIND, FREEZE_WINDOW_KIND] as const satisfies readonly ManifestKind[];

/**
 * Whether documents of `kind` belong to the organization rather than to a namespace of a cluster.
 * @example isOrganizationScoped('FleetRollout') === true; isOrganizationScoped('Rollout') === false
 */
export function isOrganizationScoped(kind: ManifestKind): boolean {
  return (ORGANIZATION_SCOPED_KINDS as readonly ManifestKind[]).includes(kind);
}

/**
 * Whether documents of `kind` go wherever the others of the apply go: Argo's notification ConfigMap and Secret
 * configure a namespace when applied to one, the organization otherwise.
 * @example isPlacedEitherWay('ConfigMap') === true
 */
export function isPlacedEitherWay(kind: ManifestKind): boolean {
  return (NOTIFICATION_KINDS as readonly ManifestKind[]).includes(kind);
}

/** `apiVersionOf('FleetRollout') === 'flotilla.io/v1alpha1'`: the apiVersion a document of that kind is written with. */
export function apiVersionOf(kind: ManifestKind): typeof ARGO_API_VERSION | typeof FLEET_API_VERSION | typeof KUBERNETES_CORE_API_VERSION {
  if (isPlacedEitherWay(kind)) return KUBERNETES_CORE_API_VERSION;
  return isOrganizationScoped(kind) ? FLEET_API_VERSION : ARGO_API_VERSION;
}
