import type { NotificationManifest } from '@flotilla/argo-spec';
import { serviceKey, validateServiceDefinition } from '@flotilla/notification-services';
import {
  parseNotificationConfigMap,
  parseNotificationSecret,
  type ConfigurationOrigin,
  type NotificationSecretValues,
} from '@flotilla/notifications';
import type { FieldProblem } from '@flotilla/service-runtime';

/**
 * What is wrong with Argo's notification ConfigMap or Secret as the notifications engine reads them: keys, templates,
 * conditions and each service's settings, with their field paths. No problem quotes a Secret's value.
 */
export function notificationDocumentProblems(
  document: NotificationManifest,
  documentIndex: number,
  origin: ConfigurationOrigin,
): FieldProblem[] {
  if (document.kind === 'Secret') {
    const parsed = parseNotificationSecret(document);
    return parsed.ok ? [] : parsed.issues.map((issue) => ({ documentIndex, ...issue }));
  }
  const parsed = parseNotificationConfigMap(document.data ?? {}, origin);
  if (!parsed.ok) return parsed.issues.map((issue) => ({ documentIndex, ...issue }));
  return Object.values(parsed.value.services).flatMap((service) => {
    // Issues are named from the service's key (`service.slack.token`): the key is one field of `data`.
    const key = serviceKey(service);
    return validateServiceDefinition(service).map((issue) => ({
      documentIndex,
      path: `data[${key}]${issue.path.slice(key.length)}`,
      message: issue.message,
    }));
  });
}

/** The values of an applied Secret, `stringData` over `data` as Kubernetes merges them; checked by `notificationDocumentProblems`. */
export function secretValuesOf(document: NotificationManifest & { kind: 'Secret' }): NotificationSecretValues {
  const parsed = parseNotificationSecret(document);
  if (!parsed.ok) throw new Error('a notification Secret reached the store unchecked');
  return parsed.value;
}
