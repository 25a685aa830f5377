import { createNotificationService, permanent, type ServiceEnvironment } from '@flotilla/notification-services';
import { systemScope, type NotificationConfigStore, type ParsedConfigurations } from '@flotilla/stores';
import type { ServiceLookup } from './notification-sender.js';

const SYSTEM = systemScope('notifications');

/**
 * The service a delivery goes through, as its organization and namespace configure it now (a service removed since
 * the decision fails the delivery), with its `$secret-key` references read from the Secret of the layer that defined it
 * (a namespace's service, from the namespace's Secret only).
 */
export function configuredServices(
  configs: NotificationConfigStore,
  parsed: ParsedConfigurations,
  environment: ServiceEnvironment,
): ServiceLookup {
  return async (delivery) => {
    const { organizationId, subject } = delivery;
    const { configs: inEffect, secrets } = await configs.forDelivery(SYSTEM, organizationId, subject.placement);
    const configuration = parsed.effective(inEffect);
    const definition = Object.hasOwn(configuration.services, delivery.service) ? configuration.services[delivery.service] : undefined;
    if (!definition) return permanent(`service "${delivery.service}" is no longer configured`);
    return createNotificationService(definition, secrets, environment);
  };
}
