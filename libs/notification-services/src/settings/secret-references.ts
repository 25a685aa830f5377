import type { JsonObject, NotificationSecretValues } from '@flotilla/notifications';
import { mapStrings, stringsOf } from '@flotilla/metric-providers';
import { PermanentDeliveryError } from '../delivery-outcome.js';

/** `$<secret-key>`: a Kubernetes Secret key is made of letters, digits, `-`, `_` and `.`. */
const SECRET_REFERENCE = /\$([-._a-zA-Z0-9]+)/g;

/**
 * Settings with every `$<secret-key>` in their strings replaced by that key's value in
 * `argo-rollouts-notification-secret`. A reference to a key the Secret does not have is an error (Argo would send the
 * reference itself, e.g. as a token, and fail at the receiver).
 * @example resolveSecretReferences({ token: '$slack-token' }, { 'slack-token': 'xoxb-1' }) // { token: 'xoxb-1' }
 */
export function resolveSecretReferences(settings: JsonObject, secrets: NotificationSecretValues): JsonObject {
  return mapStrings(settings, (text) =>
    text.replace(SECRET_REFERENCE, (_reference, key: string) => {
      const value = secrets[key];
      if (value === undefined) throw new PermanentDeliveryError(`the notification Secret has no key "${key}"`);
      return value;
    }),
  );
}

/** The secret values the settings use, so that they can be kept out of every outcome's reason. */
export function referencedSecretValues(settings: JsonObject, secrets: NotificationSecretValues): string[] {
  return stringsOf(settings)
    .flatMap((text) => [...text.matchAll(SECRET_REFERENCE)])
    .flatMap(([, key]) => {
      const value = key === undefined ? undefined : secrets[key];
      return value === undefined ? [] : [value];
    });
}
