import type { Destination, NotificationConfiguration } from './configuration-types.js';
import { fieldPath, type ConfigurationIssue } from './configuration-issues.js';
import { parseLabelSelector } from './label-selector.js';
import { isJsonObject, readYamlValue } from './yaml-value.js';

export const SUBSCRIBE_PREFIX = 'notifications.argoproj.io/subscribe.';
export const SUBSCRIPTIONS_ANNOTATION = 'notifications.argoproj.io/subscriptions';
const MAX_DESTINATIONS = 200;

/** One subscription an object's annotations hold; `trigger` undefined: the default triggers of the service. */
export interface AnnotationSubscription {
  trigger: string | undefined;
  service: string;
  recipients: string[];
}

/**
 * Reads an object's subscriptions as Argo's notifications engine does:
 * `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipient>;<recipient>`,
 * `notifications.argoproj.io/subscribe.<service>` (the default triggers), and the YAML list of
 * `notifications.argoproj.io/subscriptions` (`- trigger: [t]` with `destinations: [{service, recipients}]`).
 * An empty recipient list means one recipient `""`, for services that need none (a named webhook).
 * @example
 * readAnnotationSubscriptions({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'a;b' }).subscriptions
 * // => [{ trigger: 'on-rollout-step-completed', service: 'slack', recipients: ['a', 'b'] }]
 */
export function readAnnotationSubscriptions(annotations: Readonly<Record<string, string>>): {
  subscriptions: AnnotationSubscription[];
  issues: ConfigurationIssue[];
} {
  const subscriptions: AnnotationSubscription[] = [];
  const issues: ConfigurationIssue[] = [];
  for (const key of Object.keys(annotations).sort()) {
    const value = annotations[key] ?? '';
    if (key.startsWith(SUBSCRIBE_PREFIX)) {
      const parts = key.slice(SUBSCRIBE_PREFIX.length).split('.');
      const [first = '', second] = parts;
      const subscription = second === undefined ? { trigger: undefined, service: first } : { trigger: first, service: second };
      if (subscription.service === '') continue;
      subscriptions.push({ ...subscription, recipients: splitRecipients(value) });
    } else if (key === SUBSCRIPTIONS_ANNOTATION) {
      subscriptions.push(...readSubscriptionsAnnotation(value, fieldPath('metadata.annotations', key), issues));
    }
  }
  return { subscriptions, issues };
}

/** Whether an object's annotations subscribe it to any notification, read without parsing them. */
export function hasSubscriptionAnnotations(annotations: Readonly<Record<string, string>>): boolean {
  return Object.keys(annotations).some((key) => key.startsWith(SUBSCRIBE_PREFIX) || key === SUBSCRIPTIONS_ANNOTATION);
}

function splitRecipients(value: string): string[] {
  const recipients = value
    .split(';')
    .map((recipient) => recipient.trim())
    .filter((recipient) => recipient !== '');
  return recipients.length > 0 ? recipients : [''];
}

function readSubscriptionsAnnotation(text: string, path: string, issues: ConfigurationIssue[]): AnnotationSubscription[] {
  const yaml = readYamlValue(text);
  if (!yaml.ok || !Array.isArray(yaml.value)) {
    issues.push({ path, message: yaml.ok ? 'must be a YAML list of {trigger, destinations}' : yaml.message });
    return [];
  }
  return yaml.value.flatMap((entry, index) => {
    const at = fieldPath(path, index);
    if (!isJsonObject(entry) || !Array.isArray(entry.destinations)) {
      issues.push({ path: at, message: 'must be a mapping with trigger and destinations' });
      return [];
    }
    const triggers = Array.isArray(entry.trigger)
      ? entry.trigger
      : entry.trigger === undefined || entry.trigger === null
        ? [null]
        : [entry.trigger];
    return entry.destinations.flatMap((destination, position) => {
      if (!isJsonObject(destination) || typeof destination.service !== 'string') {
        issues.push({ path: fieldPath(fieldPath(at, 'destinations'), position), message: 'must name a service' });
        return [];
      }
      const recipients = Array.isArray(destination.recipients)
        ? destination.recipients.filter((item): item is string => typeof item === 'string')
        : [];
      const service = destination.service;
      return triggers.map((trigger) => ({
        trigger: typeof trigger === 'string' ? trigger : undefined,
        service,
        recipients: recipients.length > 0 ? recipients : [''],
      }));
    });
  });
}

/**
 * Every destination of every trigger for one object: its annotations (default triggers filled in) and the
 * configuration's `subscriptions` whose selector matches its labels, each destination once per trigger.
 */
export function destinationsByTrigger(
  metadata: { annotations: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>> },
  configuration: NotificationConfiguration,
): Map<string, Destination[]> {
  const byTrigger = new Map<string, Map<string, Destination>>();
  let count = 0;
  const add = (trigger: string, destination: Destination): void => {
    const destinations = byTrigger.get(trigger) ?? new Map<string, Destination>();
    const key = `${destination.service}\u0000${destination.recipient}`;
    if (destinations.has(key) || count >= MAX_DESTINATIONS) return;
    count += 1;
    destinations.set(key, destination);
    byTrigger.set(trigger, destinations);
  };
  const defaultsOf = (service: string): readonly string[] => {
    const own = configuration.serviceDefaultTriggers[service];
    return own !== undefined && own.length > 0 ? own : configuration.defaultTriggers;
  };
  for (const rule of configuration.subscriptions) {
    const matcher = rule.selector === undefined ? undefined : parseLabelSelector(rule.selector);
    if (typeof matcher === 'string' || (matcher !== undefined && !matcher(metadata.labels))) continue;
    for (const destination of rule.recipients)
      for (const trigger of rule.triggers.length > 0 ? rule.triggers : defaultsOf(destination.service)) add(trigger, destination);
  }
  for (const subscription of readAnnotationSubscriptions(metadata.annotations).subscriptions)
    for (const trigger of subscription.trigger === undefined ? defaultsOf(subscription.service) : [subscription.trigger])
      for (const recipient of subscription.recipients) add(trigger, { service: subscription.service, recipient });
  return new Map([...byTrigger].map(([trigger, destinations]) => [trigger, [...destinations.values()]]));
}
