import { createNotificationService, permanent, type ServiceEnvironment } from '@flotilla/notification-services';
import {
  effectiveConfiguration,
  parseNotificationConfigMap,
  type ConfigurationOrigin,
  type NotificationConfiguration,
} from '@flotilla/notifications';
import { systemScope, type NotificationConfigRecord, type NotificationConfigStore } from '@flotilla/stores';
import type { ServiceLookup } from './notification-sender.js';

const SYSTEM = systemScope('notifications');

/** Parsed configurations kept per stored version: parsing compiles every template, and rows change rarely. */
const PARSED_CACHE_SIZE = 500;

/**
 * The service a delivery goes through, as its organization and namespace configure it now (a service removed since
 * the decision fails the delivery), with the Secret's values in place of its `$secret-key` references.
 */
export function configuredServices(configs: NotificationConfigStore, environment: ServiceEnvironment): ServiceLookup {
  const parsed = new Map<string, NotificationConfiguration>();
  const parse = (record: NotificationConfigRecord | undefined, origin: ConfigurationOrigin): NotificationConfiguration | undefined => {
    if (!record) return undefined;
    const key = `${record.id}.v${record.version}`;
    const cached = parsed.get(key);
    if (cached) return cached;
    const result = parseNotificationConfigMap(record.configData, origin);
    // Validated when applied: a row that no longer parses (an older release's) configures nothing.
    if (!result.ok) return undefined;
    if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value ?? '');
    parsed.set(key, result.value);
    return result.value;
  };
  return async (delivery) => {
    const { organizationId, subject } = delivery;
    const inEffect = await configs.inEffect(organizationId, subject.placement);
    const configuration = effectiveConfiguration(parse(inEffect.organization, 'organization'), parse(inEffect.namespace, 'namespace'));
    const definition = Object.hasOwn(configuration.services, delivery.service) ? configuration.services[delivery.service] : undefined;
    if (!definition) return permanent(`service "${delivery.service}" is no longer configured`);
    const secrets = await configs.secretValues(SYSTEM, organizationId, subject.placement);
    return createNotificationService(definition, secrets, environment);
  };
}
