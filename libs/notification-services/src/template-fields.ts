import type { JsonObject, JsonValue, RenderedNotification } from '@flotilla/notifications';
import { PermanentDeliveryError } from './delivery-outcome.js';

/** The rendered per-service block of a notification (`slack`, `email`, `webhook`…), empty when the template has none. */
export function serviceBlock(notification: RenderedNotification, type: string): JsonObject {
  return notification.fields[type] ?? {};
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A nested block (`webhook.<name>`, `github.status`), empty when absent. */
export function nestedBlock(block: JsonObject, field: string): JsonObject {
  const value = block[field];
  return isObject(value) ? value : {};
}

/** A scalar field as text (`notifyBroadcast: false` reads `"false"`); `undefined` when absent or empty. */
export function textField(block: JsonObject, field: string): string | undefined {
  const value = block[field];
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  const text = String(value);
  return text === '' ? undefined : text;
}

/**
 * A field holding JSON, as Argo's templates write Slack `attachments`, Teams `facts` and the like: a string is parsed
 * (a rendered template), a list or an object is taken as it is. `undefined` when absent or blank.
 * @example jsonField({ facts: '[{"name":"a","value":"b"}]' }, 'facts', 'teams.facts') // [{ name: 'a', value: 'b' }]
 */
export function jsonField(block: JsonObject, field: string, path: string): JsonValue | undefined {
  const value = block[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as JsonValue;
  } catch (error) {
    throw new PermanentDeliveryError(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A JSON field that must be a list. */
export function jsonListField(block: JsonObject, field: string, path: string): JsonValue[] | undefined {
  const value = jsonField(block, field, path);
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new PermanentDeliveryError(`${path} must be a JSON list`);
  return value;
}

/** A value as text: a scalar as written, an object or a list as its JSON, nothing as the empty string. */
export function leafText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
