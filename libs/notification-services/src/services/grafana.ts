import { defineServiceKind } from '../service-kind.js';
import { goBool, goStruct, requiredText } from '../settings/go-settings.js';
import { joinUrl, postJson } from './http-send.js';

const grafanaSettings = goStruct({ apiUrl: requiredText, apiKey: requiredText, insecureSkipVerify: goBool.optional() });

/**
 * `service.grafana`: `apiUrl` (Grafana's `/api`) and `apiKey` (a service account token). Each notification is an
 * annotation at the time it is sent, `POST {apiUrl}/annotations`, with the message as its text and the recipient's
 * `|`-separated tags.
 */
export const grafanaService = defineServiceKind(
  'grafana',
  grafanaSettings,
  (settings, { environment }) =>
    (notification, recipient) =>
      postJson(environment, 'grafana', {
        url: joinUrl(settings.apiUrl, 'annotations'),
        headers: { Authorization: `Bearer ${settings.apiKey}` },
        body: {
          time: environment.now().getTime(),
          isRegion: false,
          tags: recipient.split('|').filter((tag) => tag !== ''),
          text: notification.message,
        },
        ...(settings.insecureSkipVerify ? { insecure: true } : {}),
      }),
);
