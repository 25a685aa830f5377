import type { ConfigurationOrigin, LayeredSecretValues, NotificationSecretValues } from './configuration-types.js';
import type { JsonObject, JsonValue } from './json.js';

const REFERENCE = /\$([A-Za-z0-9_.-]+)/g;

/** Keys of the Secret a service's settings name as `$key`, in order of first use. */
export function secretReferences(settings: JsonObject): string[] {
  const keys = new Set<string>();
  visitStrings(settings, (text) => {
    for (const match of text.matchAll(REFERENCE)) if (match[1] !== undefined) keys.add(match[1]);
  });
  return [...keys];
}

/**
 * Replaces every `$key` in a service's settings with that key's Secret value, as Argo does; a reference the Secret
 * does not hold stays as written. Call it only where the credentials are used: never store or log its answer.
 * @example resolveSecretReferences({ token: '$slack-token' }, { 'slack-token': 'xoxb-1' }) // { token: 'xoxb-1' }
 */
export function resolveSecretReferences(settings: JsonObject, secrets: NotificationSecretValues): JsonObject {
  return mapStrings(settings, (text) =>
    text.replace(REFERENCE, (whole, key: string) => (Object.hasOwn(secrets, key) ? (secrets[key] ?? whole) : whole)),
  ) as JsonObject;
}

/**
 * The Secret values a service's `$key` references may read: those of the layer whose ConfigMap defines it, as each
 * namespace's API and the controller's read their own Secret in Argo's self-service notifications. A namespace can
 * neither point the organization's credentials at a service of its own nor put values of its own (a URL, a host)
 * beside them in the organization's services; it replaces a service by defining one of the same name.
 * @example secretValuesFor('namespace', { organization: { token: 'org' }, namespace: {} }) // {}
 * @example secretValuesFor('organization', { organization: { token: 'org' }, namespace: { token: 'shop' } }) // { token: 'org' }
 */
export function secretValuesFor(origin: ConfigurationOrigin, secrets: LayeredSecretValues): NotificationSecretValues {
  return secrets[origin];
}

function visitStrings(value: JsonValue, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) value.forEach((item) => visitStrings(item, visit));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => visitStrings(item, visit));
}

/** The same JSON value with every string leaf replaced. */
export function mapStrings(value: JsonValue, replace: (text: string) => JsonValue): JsonValue {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, replace));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, replace)]));
  return value;
}
