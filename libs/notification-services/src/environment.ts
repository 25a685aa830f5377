import { AddressGuard, type AddressPolicy } from '@flotilla/outbound-policy';
import { createHttpTransport } from '@flotilla/metric-providers';
import { PUBLIC_ENDPOINTS, type ServiceEndpoints, type ServiceEnvironment } from './notification-service.js';

export interface ServiceEnvironmentOptions {
  /** Which addresses notifications may reach: public unicast only unless `allow` names more. */
  addressPolicy: AddressPolicy;
  /** Defaults to 10 s. */
  timeoutMs?: number;
  now?: () => Date;
  endpoints?: Partial<ServiceEndpoints>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The environment services send in: HTTP through a transport that checks every host (and redirect target) against
 * the address policy and connects to the checked address only; SMTP to an address checked the same way.
 * @example createServiceEnvironment({ addressPolicy: { allow: ['hooks.internal.example'] } })
 */
export function createServiceEnvironment(options: ServiceEnvironmentOptions): ServiceEnvironment {
  const guard = new AddressGuard(options.addressPolicy);
  return {
    http: createHttpTransport({ addressPolicy: options.addressPolicy }),
    async smtpAddress(host) {
      const [first] = await guard.resolve(host);
      if (first === undefined) throw new Error(`${host} has no address`);
      return first.address;
    },
    now: options.now ?? (() => new Date()),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    endpoints: { ...PUBLIC_ENDPOINTS, ...options.endpoints },
  };
}
