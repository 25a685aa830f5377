import { createHmac } from 'node:crypto';
import type { HttpMethod } from '@flotilla/metric-providers';
import { z } from 'zod';
import { PermanentDeliveryError } from '../delivery-outcome.js';
import { outcomeOfResponse } from '../http-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goBool, goStruct, requiredText } from '../settings/go-settings.js';
import { nestedBlock, serviceBlock, textField } from '../template-fields.js';
import { joinUrl, sendRequest } from './http-send.js';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The header of the body's HMAC-SHA256 when `signature.header` names none. */
export const DEFAULT_SIGNATURE_HEADER = 'X-Flotilla-Signature-256';

const webhookSettings = goStruct({
  url: requiredText,
  headers: z.array(goStruct({ name: requiredText, value: z.string() })).optional(),
  basicAuth: goStruct({ username: z.string(), password: z.string() }).optional(),
  insecureSkipVerify: goBool.optional(),
  /** Signs each body: `<header>: sha256=<hex HMAC-SHA256 of the body with secret>`. */
  signature: goStruct({ secret: requiredText, header: requiredText.optional() }).optional(),
});

function methodOf(text: string | undefined, path: string): HttpMethod {
  const method = (text ?? 'GET').toUpperCase();
  const known = METHODS.find((candidate) => candidate === method);
  if (known === undefined) throw new PermanentDeliveryError(`${path} must be one of ${METHODS.join(', ')}, not "${text ?? ''}"`);
  return known;
}

/**
 * `service.webhook.<name>`: `url`, `headers`, `basicAuth`, `insecureSkipVerify`, and `signature` (ours). The template's
 * `webhook.<name>` block gives `method` (GET by default), `path` (joined to `url`) and `body`; without a block, Argo
 * sends GET with the message as the body.
 */
export const webhookService = defineServiceKind('webhook', webhookSettings, (settings, { name, environment }) => async (notification) => {
  const block = nestedBlock(serviceBlock(notification, 'webhook'), name);
  const hasBlock = Object.keys(block).length > 0;
  const method = hasBlock ? methodOf(textField(block, 'method'), `webhook.${name}.method`) : 'GET';
  const body = hasBlock ? (textField(block, 'body') ?? '') : notification.message;
  const path = hasBlock ? textField(block, 'path') : undefined;
  const headers: Record<string, string> = {};
  for (const header of settings.headers ?? []) headers[header.name] = header.value;
  if (settings.basicAuth) {
    const credentials = Buffer.from(`${settings.basicAuth.username}:${settings.basicAuth.password}`).toString('base64');
    headers.Authorization = `Basic ${credentials}`;
  }
  if (settings.signature) {
    const digest = createHmac('sha256', settings.signature.secret).update(body).digest('hex');
    headers[settings.signature.header ?? DEFAULT_SIGNATURE_HEADER] = `sha256=${digest}`;
  }
  const response = await sendRequest(environment, {
    method,
    url: path === undefined ? settings.url : joinUrl(settings.url, path),
    headers,
    ...(body === '' ? {} : { body }),
    ...(settings.insecureSkipVerify ? { insecure: true } : {}),
  });
  return outcomeOfResponse(`webhook ${name}`, response, environment.now());
});
