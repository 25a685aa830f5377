import type { JsonObject, JsonValue } from '@flotilla/notifications';
import { z } from 'zod';
import { delivered, permanent, retryable, PermanentDeliveryError, type DeliveryOutcome } from '../delivery-outcome.js';
import { outcomeOfResponse, retryAfterMs } from '../http-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goBool, goStruct, requiredText } from '../settings/go-settings.js';
import { jsonListField, serviceBlock, textField } from '../template-fields.js';
import { joinUrl, sendRequest } from './http-send.js';

/** `chat.postMessage` errors that say the call may work later; every other error is the request's own fault. */
const RETRYABLE_API_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const slackSettings = goStruct({
  /** The bot's OAuth token, for `chat.postMessage`. */
  token: requiredText.optional(),
  /** Ours: an incoming webhook to post to instead of `chat.postMessage` (the channel is the webhook's own). */
  webhookUrl: requiredText.optional(),
  apiURL: requiredText.optional(),
  username: z.string().optional(),
  icon: z.string().optional(),
  disableUnfurl: goBool.optional(),
  insecureSkipVerify: goBool.optional(),
}).refine((settings) => settings.token !== undefined || settings.webhookUrl !== undefined, {
  message: 'set token (chat.postMessage) or webhookUrl (an incoming webhook)',
  path: ['token'],
});

type SlackSettings = z.output<typeof slackSettings>;

/** The message Slack receives: the text, attachments and blocks of the template, the name and icon to post as. */
function slackMessage(settings: SlackSettings, block: JsonObject, text: string): Record<string, JsonValue> {
  const message: Record<string, JsonValue> = { text };
  const attachments = jsonListField(block, 'attachments', 'slack.attachments');
  const blocks = jsonListField(block, 'blocks', 'slack.blocks');
  if (attachments) message.attachments = attachments;
  if (blocks) message.blocks = blocks;
  const username = textField(block, 'username') ?? settings.username;
  const icon = textField(block, 'icon') ?? settings.icon;
  if (username) message.username = username;
  if (icon) message[/^:.+:$/.test(icon) ? 'icon_emoji' : 'icon_url'] = icon;
  if (settings.disableUnfurl) {
    message.unfurl_links = false;
    message.unfurl_media = false;
  }
  return message;
}

/** `chat.postMessage` answers 200 with `ok: false` and an error code when it refuses a message. */
function apiOutcome(body: string, retryAfter: number | undefined): DeliveryOutcome {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return permanent(`slack answered with a body that is not JSON: ${body.slice(0, 200)}`);
  }
  const { ok, error } = (typeof answer === 'object' && answer !== null ? answer : {}) as { ok?: unknown; error?: unknown };
  if (ok === true) return delivered();
  const code = typeof error === 'string' ? error : 'unknown_error';
  return RETRYABLE_API_ERRORS.has(code)
    ? retryable(`slack refused the message: ${code}`, retryAfter)
    : permanent(`slack refused the message: ${code}`);
}

/**
 * `service.slack`: with `token`, `POST {apiURL}chat.postMessage` (JSON, bearer token) to the recipient channel; with
 * `webhookUrl`, a POST of the same message to the incoming webhook. The template's `slack` block adds `attachments`
 * and `blocks` (JSON), `username` and `icon` (an `:emoji:` or an image URL), which win over the settings' ones.
 */
export const slackService = defineServiceKind('slack', slackSettings, (settings, { environment }) => async (notification, recipient) => {
  const message = slackMessage(settings, serviceBlock(notification, 'slack'), notification.message);
  const insecure = settings.insecureSkipVerify ? { insecure: true } : {};
  if (settings.token === undefined) {
    const url = settings.webhookUrl ?? '';
    const response = await sendRequest(environment, {
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
      ...insecure,
    });
    return outcomeOfResponse('slack', response, environment.now());
  }
  if (recipient === '') throw new PermanentDeliveryError('slack needs a channel as the recipient');
  const response = await sendRequest(environment, {
    method: 'POST',
    url: joinUrl(settings.apiURL ?? environment.endpoints.slack, 'chat.postMessage'),
    headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${settings.token}` },
    body: JSON.stringify({ channel: recipient, ...message }),
    ...insecure,
  });
  const byStatus = outcomeOfResponse('slack', response, environment.now());
  if (byStatus.kind !== 'delivered') return byStatus;
  return apiOutcome(response.body, retryAfterMs(response.headers['retry-after'], environment.now()));
});
