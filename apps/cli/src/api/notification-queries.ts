/** GraphQL documents of the notification configuration, with the shapes they read back (see apps/api/schema.gql). */

export type NotificationLayer = 'Default' | 'Organization' | 'Namespace';

export interface NotificationTemplateRow {
  name: string;
  layer: NotificationLayer;
  message: string | null;
  title: string | null;
  /** Per-service blocks by service type, as written. */
  fields: Record<string, unknown>;
}

export interface NotificationTriggerCondition {
  when: string | null;
  send: string[];
  oncePer: string | null;
  description: string | null;
}

export interface NotificationTriggerRow {
  name: string;
  layer: NotificationLayer;
  conditions: NotificationTriggerCondition[];
}

export interface NotificationRendering {
  template: string;
  rollout: string;
  message: string;
  title: string | null;
  fields: Record<string, unknown>;
}

export interface NotificationTriggerEvaluation {
  trigger: string;
  rollout: string;
  conditions: (NotificationTriggerCondition & { holds: boolean; error: string | null })[];
}

export interface SentNotification {
  id: string;
  service: string;
  recipient: string;
  state: 'Pending' | 'Delivered' | 'Failed' | 'Muted';
  lastError: string | null;
}

const CONDITION_FIELDS = 'when send oncePer description';

export const NOTIFICATION_TEMPLATES = `query($cluster: String, $namespace: String) {
  notificationTemplates(cluster: $cluster, namespace: $namespace) { name layer message title fields }
}`;

export const NOTIFICATION_TRIGGERS = `query($cluster: String, $namespace: String) {
  notificationTriggers(cluster: $cluster, namespace: $namespace) { name layer conditions { ${CONDITION_FIELDS} } }
}`;

export const RENDER_NOTIFICATION_TEMPLATE = `query($template: String!, $rollout: RolloutRef!) {
  renderNotificationTemplate(template: $template, rollout: $rollout) { template rollout message title fields }
}`;

export const EVALUATE_NOTIFICATION_TRIGGER = `query($trigger: String!, $rollout: RolloutRef!) {
  evaluateNotificationTrigger(trigger: $trigger, rollout: $rollout) { trigger rollout conditions { ${CONDITION_FIELDS} holds error } }
}`;

export const SEND_NOTIFICATION = `mutation($template: String!, $rollout: RolloutRef!, $recipients: [NotificationRecipientInput!]!) {
  sendNotification(template: $template, rollout: $rollout, recipients: $recipients) { id service recipient state lastError }
}`;
