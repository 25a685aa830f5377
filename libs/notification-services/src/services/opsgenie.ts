import type { JsonObject, JsonValue } from '@flotilla/notifications';
import { PermanentDeliveryError } from '../delivery-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goStruct, requiredText, textMap } from '../settings/go-settings.js';
import { leafText, serviceBlock, textField } from '../template-fields.js';
import { joinUrl, postJson } from './http-send.js';

const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];
const RESPONDER_FIELDS = ['type', 'id', 'name', 'username'];

const opsgenieSettings = goStruct({ apiUrl: requiredText, apiKeys: textMap });

/** `api.opsgenie.com` as Argo writes it, or a full URL. */
function baseUrl(apiUrl: string): string {
  return /^https?:\/\//i.test(apiUrl) ? apiUrl : `https://${apiUrl}`;
}

function textList(block: JsonObject, field: string): string[] | undefined {
  const value = block[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new PermanentDeliveryError(`opsgenie.${field} must be a list`);
  return value.map(String);
}

/** `visibleTo` entries as Go reads `alert.Responder` (`Id`, `Type`, … in any case), in the API's lower-case names. */
function responders(block: JsonObject): JsonValue[] | undefined {
  const value = block.visibleTo;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new PermanentDeliveryError('opsgenie.visibleTo must be a list');
  return value.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new PermanentDeliveryError(`opsgenie.visibleTo[${index}] must be an object`);
    const responder: JsonObject = {};
    for (const [key, field] of Object.entries(entry)) {
      const name = RESPONDER_FIELDS.find((known) => known === key.toLowerCase());
      if (name !== undefined && field !== null && field !== '') responder[name] = leafText(field);
    }
    return responder;
  });
}

function details(block: JsonObject): JsonObject | undefined {
  const value = block.details;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new PermanentDeliveryError('opsgenie.details must be a map');
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, leafText(field)]));
}

/**
 * `service.opsgenie`: `apiUrl` (`api.opsgenie.com` or `api.eu.opsgenie.com`) and `apiKeys` by team. Each notification
 * creates an alert, `POST /v2/alerts` with the team's key, for the recipient team as responder: the message, and the
 * template's `opsgenie` block (`description` required; `priority`, `alias`, `note`, `actions`, `tags`, `visibleTo`,
 * `details`, `entity`, `user`).
 */
export const opsgenieService = defineServiceKind('opsgenie', opsgenieSettings, (settings, { environment }) => (notification, recipient) => {
  const apiKey = settings.apiKeys[recipient];
  if (apiKey === undefined) throw new PermanentDeliveryError(`apiKeys has no "${recipient}"`);
  const block = serviceBlock(notification, 'opsgenie');
  const description = textField(block, 'description');
  if (description === undefined) throw new PermanentDeliveryError('opsgenie.description is required');
  const priority = textField(block, 'priority');
  if (priority !== undefined && !PRIORITIES.includes(priority))
    throw new PermanentDeliveryError(`opsgenie.priority must be one of ${PRIORITIES.join(', ')}, not "${priority}"`);
  const alert: JsonObject = {
    message: notification.message,
    description,
    responders: [{ type: 'team', id: recipient }],
    source: 'Flotilla',
  };
  if (priority !== undefined) alert.priority = priority;
  for (const field of ['alias', 'note', 'entity', 'user']) {
    const value = textField(block, field);
    if (value !== undefined) alert[field] = value;
  }
  const lists: Array<[string, JsonValue[] | JsonObject | undefined]> = [
    ['actions', textList(block, 'actions')],
    ['tags', textList(block, 'tags')],
    ['visibleTo', responders(block)],
    ['details', details(block)],
  ];
  for (const [field, value] of lists) if (value !== undefined) alert[field] = value;
  return postJson(environment, 'opsgenie', {
    url: joinUrl(baseUrl(settings.apiUrl), 'v2/alerts'),
    headers: { Authorization: `GenieKey ${apiKey}` },
    body: alert,
  });
});
