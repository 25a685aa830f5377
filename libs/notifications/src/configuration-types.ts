import type { JsonObject } from './json.js';

/**
 * `service.<type>` or `service.<type>.<name>` of `argo-rollouts-notification-configmap`. Its settings are kept as
 * written: string values may hold `$secret-key` references, resolved only when a notification is sent.
 */
export interface ServiceDefinition {
  /** The name subscriptions use: `<name>` when the key has one, otherwise `<type>`. */
  name: string;
  /** `slack`, `webhook`, `email`, `teams`, `pagerdutyv2`, `opsgenie`, `github`, `grafana`, … */
  type: string;
  settings: JsonObject;
  /** Keys of the Secret its settings refer to (`$slack-token` → `slack-token`), in order of first use. */
  secretReferences: string[];
  /**
   * Whose Secret the references read: the organization's, or the namespace's for a service its own ConfigMap
   * defines, so that a namespace cannot point the organization's credentials at a service of its choosing.
   */
  origin: ConfigurationOrigin;
}

export type ConfigurationOrigin = 'organization' | 'namespace';

/**
 * `template.<name>`: `message` and `title` are templates, and so is every string leaf of a per-service block
 * (`slack.attachments`, `email.subject`, `webhook.<name>.body`, `teams.facts`, …).
 */
export interface TemplateDefinition {
  name: string;
  message?: string;
  title?: string;
  /** Per-service blocks by service type, as written. */
  fields: Record<string, JsonObject>;
}

/** One entry of a `trigger.<name>` list. */
export interface TriggerCondition {
  /** A condition over the template variables (`rollout.status.phase == 'Healthy'`); absent: always true. */
  when?: string;
  /** Names of the templates to send. */
  send: string[];
  /** A field path (`rollout.status.currentPodHash`): the notification is sent once per value it takes. */
  oncePer?: string;
  description?: string;
}

export interface TriggerDefinition {
  name: string;
  conditions: TriggerCondition[];
}

/** An entry of `subscriptions`: recipients given to every subject whose labels match `selector`. */
export interface SubscriptionRule {
  /** `<service>:<recipient>`, or `<service>` alone for a service that needs no recipient. */
  recipients: Destination[];
  /** Empty: the default triggers. */
  triggers: string[];
  /** A label selector (`team=payments,env!=dev`); absent: every subject. */
  selector?: string;
}

/** Where a notification goes: a configured service (by name) and a recipient it understands (channel, address…). */
export interface Destination {
  service: string;
  recipient: string;
}

/**
 * The notification configuration of one scope: an organization (the controller's own ConfigMap in Argo) or one
 * cluster namespace (Argo's self-service namespace ConfigMap). Plain data: it can be stored and parsed again.
 */
export interface NotificationConfiguration {
  /** By configured name. */
  services: Record<string, ServiceDefinition>;
  templates: Record<string, TemplateDefinition>;
  triggers: Record<string, TriggerDefinition>;
  /** `defaultTriggers`: what `subscribe.<service>` subscribes to. */
  defaultTriggers: string[];
  /** `defaultTriggers.<service>`: the default triggers of one service, replacing `defaultTriggers` for it. */
  serviceDefaultTriggers: Record<string, string[]>;
  subscriptions: SubscriptionRule[];
  /** `context`: values templates read as `.context.<key>`. */
  context: Record<string, string>;
}

/** The values of `argo-rollouts-notification-secret`, by key. */
export type NotificationSecretValues = Readonly<Record<string, string>>;

/** The Secret values of each layer a notification is sent with, kept apart: which a service reads depends on its origin. */
export interface LayeredSecretValues {
  organization: NotificationSecretValues;
  /** Empty outside a namespace, or for a namespace without a Secret. */
  namespace: NotificationSecretValues;
}
