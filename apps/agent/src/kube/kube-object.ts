import type { PodTemplateSpec } from '@flotilla/argo-spec';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  /** Grows with every change of the spec; status reports leave it as it is. */
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** Any Kubernetes object as it travels on the wire (timestamps stay RFC 3339 strings). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetObject extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; selector: LabelSelector; template: PodTemplateSpec };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: unknown;
    terminated?: { reason?: string; exitCode?: number; signal?: number };
  };
}

export interface PodObject extends KubeObject {
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: {
    phase?: string;
    /** Why the pod is in its phase, when the kubelet says (`Evicted`). */
    reason?: string;
    startTime?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** A core/v1 Event, as the agent keeps it. */
export interface EventObject extends KubeObject {
  involvedObject: { kind?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { lastObservedTime?: string; count?: number };
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  /** A number, or the name of a container port. */
  targetPort?: number | string;
}

export interface ServiceObject extends KubeObject {
  spec: { type?: string; selector?: Record<string, string>; ports?: ServicePort[] };
}

/** Values are base64 as the API server returns them (`stringData` is write-only). */
export interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

/** A key that names one object of one resource in the agent's caches. */
export const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export const keyOf = (object: KubeObject): string => objectKey(object.metadata.namespace, object.metadata.name);
