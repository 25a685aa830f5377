import {
  parseNotificationConfigMap,
  type ConfigurationOrigin,
  type JsonObject,
  type RenderedNotification,
  type ServiceDefinition,
} from '@flotilla/notifications';
import type { FakeBackend } from '../../../metric-providers/src/fake-backend.test-support.js';
import { createServiceEnvironment } from '../environment.js';
import type { NotificationService, ServiceEnvironment } from '../notification-service.js';
import { createNotificationService } from '../registry.js';

export { startFakeBackend, type FakeBackend, type RecordedRequest } from '../../../metric-providers/src/fake-backend.test-support.js';

export const FIXED_NOW = new Date('2026-03-05T09:07:30Z');

/** Services as the control plane runs them, allowed to reach the local receivers of a test and nothing else private. */
export function testEnvironment(backend: FakeBackend, overrides: Partial<ServiceEnvironment> = {}): ServiceEnvironment {
  return {
    ...createServiceEnvironment({
      addressPolicy: { allow: ['127.0.0.1'] },
      timeoutMs: 2000,
      now: () => FIXED_NOW,
      endpoints: { slack: `${backend.url}/api/`, pagerduty: backend.url, github: backend.url },
    }),
    ...overrides,
  };
}

/** `service.<type>[.<name>]` as `@flotilla/notifications` reads it from an organization's ConfigMap, or a namespace's (JSON is YAML). */
export function serviceDefinition(
  type: string,
  settings: JsonObject,
  name = type,
  origin: ConfigurationOrigin = 'organization',
): ServiceDefinition {
  const key = name === type ? `service.${type}` : `service.${type}.${name}`;
  const parsed = parseNotificationConfigMap({ [key]: JSON.stringify(settings) }, origin);
  if (!parsed.ok) throw new Error(`${key} does not parse: ${JSON.stringify(parsed.issues)}`);
  const definition = parsed.value.services[name];
  if (definition === undefined) throw new Error(`${key} defines no service ${name}`);
  return definition;
}

/** A service as the organization's `service.<type>[.<name>]` configures it, its secret references resolved from `secrets`. */
export function testService(
  backend: FakeBackend,
  service: { type: string; name?: string; settings: JsonObject; secrets?: Record<string, string> },
  environment: ServiceEnvironment = testEnvironment(backend),
): NotificationService {
  return createNotificationService(
    serviceDefinition(service.type, service.settings, service.name),
    { organization: service.secrets ?? {}, namespace: {} },
    environment,
  );
}

export function rendered(message: string, fields: Record<string, JsonObject> = {}, title?: string): RenderedNotification {
  return { message, fields, ...(title === undefined ? {} : { title }) };
}

/** The last request's body as JSON. */
export function lastJsonBody(backend: FakeBackend): unknown {
  const request = backend.requests.at(-1);
  if (request === undefined) throw new Error('no request arrived');
  return JSON.parse(request.body) as unknown;
}
