import type { JsonValue } from '@flotilla/notifications';
import { PermanentDeliveryError } from '../delivery-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goStruct, textMap } from '../settings/go-settings.js';
import { serviceBlock, textField } from '../template-fields.js';
import { joinUrl, postJson } from './http-send.js';

const SEVERITIES = ['critical', 'warning', 'error', 'info'];

const pagerDutySettings = goStruct({ serviceKeys: textMap });

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new PermanentDeliveryError(`pagerdutyv2.${field} is required`);
  return value;
}

/**
 * `service.pagerdutyv2`: `serviceKeys` maps each recipient to the integration (routing) key of an Events API v2
 * integration. Each notification triggers an event: `POST /v2/enqueue` with the template's `pagerdutyv2` block
 * (`summary`, `severity`, `source` required; `component`, `group`, `class`, `url`, `dedupKey`).
 */
export const pagerDutyService = defineServiceKind(
  'pagerdutyv2',
  pagerDutySettings,
  (settings, { environment }) =>
    (notification, recipient) => {
      const routingKey = settings.serviceKeys[recipient];
      if (routingKey === undefined) throw new PermanentDeliveryError(`serviceKeys has no "${recipient}"`);
      const block = serviceBlock(notification, 'pagerdutyv2');
      const severity = required(textField(block, 'severity'), 'severity');
      if (!SEVERITIES.includes(severity))
        throw new PermanentDeliveryError(`pagerdutyv2.severity must be one of ${SEVERITIES.join(', ')}, not "${severity}"`);
      const payload: Record<string, JsonValue> = {
        summary: required(textField(block, 'summary'), 'summary'),
        severity,
        source: required(textField(block, 'source'), 'source'),
      };
      for (const field of ['component', 'group', 'class']) {
        const value = textField(block, field);
        if (value !== undefined) payload[field] = value;
      }
      const dedupKey = textField(block, 'dedupKey');
      const url = textField(block, 'url');
      return postJson(environment, 'pagerduty', {
        url: joinUrl(environment.endpoints.pagerduty, 'v2/enqueue'),
        body: {
          routing_key: routingKey,
          event_action: 'trigger',
          ...(dedupKey === undefined ? {} : { dedup_key: dedupKey }),
          payload,
          ...(url === undefined ? {} : { client: 'Flotilla', client_url: url }),
        },
      });
    },
);
