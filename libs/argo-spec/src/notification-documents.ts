/** Argo's notification configuration: the ConfigMap and Secret its controller reads, applied as they are. */
export const NOTIFICATION_CONFIG_MAP_NAME = 'argo-rollouts-notification-configmap';
export const NOTIFICATION_SECRET_NAME = 'argo-rollouts-notification-secret';
export const KUBERNETES_CORE_API_VERSION = 'v1';
export const NOTIFICATION_KINDS = ['ConfigMap', 'Secret'] as const;

interface NotificationMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface NotificationConfigMapManifest {
  apiVersion: typeof KUBERNETES_CORE_API_VERSION;
  kind: 'ConfigMap';
  metadata: NotificationMetadata & { name: typeof NOTIFICATION_CONFIG_MAP_NAME };
  data?: Record<string, string>;
}

/** `data` holds base64 values, `stringData` plain ones, as Kubernetes takes them. */
export interface NotificationSecretManifest {
  apiVersion: typeof KUBERNETES_CORE_API_VERSION;
  kind: 'Secret';
  metadata: NotificationMetadata & { name: typeof NOTIFICATION_SECRET_NAME };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export type NotificationManifest = NotificationConfigMapManifest | NotificationSecretManifest;
