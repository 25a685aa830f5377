import type { JsonObject, RenderedNotification, ServiceDefinition } from '@flotilla/notifications';
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

/** A service as `service.<type>[.<name>]` configures it, with its secret references resolved from `secrets`. */
export function testService(
  backend: FakeBackend,
  service: { type: string; name?: string; settings: JsonObject; secrets?: Record<string, string> },
  environment: ServiceEnvironment = testEnvironment(backend),
): NotificationService {
  const definition: ServiceDefinition = {
    name: service.name ?? service.type,
    type: service.type,
    settings: service.settings,
    secretReferences: [],
  };
  return createNotificationService(definition, service.secrets ?? {}, environment);
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
