import type { StoreChange } from '../change-history.js';
import type { ClusterStore } from '../cluster-store.js';
import { isJsonObject, jsonEqual, readPath, type StoredObject } from '../kube-object.js';
import { POD, type ResourceType } from '../resource-catalogue.js';

/** Pods whose controller reference is `owner`. */
export function podsControlledBy(store: ClusterStore, owner: StoredObject): StoredObject[] {
  return store
    .dependentsOf(owner.metadata.uid, POD)
    .filter((pod) =>
      pod.metadata.ownerReferences?.some((reference) => reference.uid === owner.metadata.uid && reference.controller === true),
    );
}

export function podPhase(pod: StoredObject): string | undefined {
  const phase = readPath(pod, ['status', 'phase']);
  return typeof phase === 'string' ? phase : undefined;
}

export function isTerminal(pod: StoredObject): boolean {
  const phase = podPhase(pod);
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The time the pod last became Ready, or `undefined` while it is not Ready. */
export function readySince(pod: StoredObject): number | undefined {
  const conditions = readPath(pod, ['status', 'conditions']);
  const ready: unknown = (Array.isArray(conditions) ? conditions : []).find(
    (condition) => isJsonObject(condition) && condition['type'] === 'Ready',
  );
  if (!isJsonObject(ready) || ready['status'] !== 'True') return undefined;
  return Date.parse(String(ready['lastTransitionTime']));
}

/** A pod stamped from a workload's pod template, controlled by `owner`; it shares the template's parts, as the store copies what it creates. */
export function podFromTemplate(owner: StoredObject, ownerApiVersion: string): object {
  const template = readPath(owner, ['spec', 'template']);
  const templateMetadata = isJsonObject(template) && isJsonObject(template['metadata']) ? template['metadata'] : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(templateMetadata['labels'] === undefined ? {} : { labels: templateMetadata['labels'] }),
      ...(templateMetadata['annotations'] === undefined ? {} : { annotations: templateMetadata['annotations'] }),
      ownerReferences: [
        {
          apiVersion: ownerApiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: isJsonObject(template) ? template['spec'] : {},
  };
}

/** The owner (namespace/name) a pod change concerns, when its controller is of `kind`. */
export function controllerKeyOf(change: StoreChange, kind: string): string | undefined {
  if (change.resource !== POD) return undefined;
  const reference = change.object.metadata.ownerReferences?.find((candidate) => candidate.controller === true && candidate.kind === kind);
  return reference && `${change.object.metadata.namespace ?? ''}/${reference.name}`;
}

/** Writes `status` unless it is what the object already reports (as controllers skip no-op writes). */
export function writeStatus(store: ClusterStore, resource: ResourceType, object: StoredObject, status: Record<string, unknown>): void {
  if (jsonEqual(object['status'], status)) return;
  store.update(resource, object.metadata.namespace, object.metadata.name, { ...object, status }, 'status');
}
