import type { RenderedNotification } from '@flotilla/notifications';
import type { HttpTransport } from '@flotilla/metric-providers';
import type { DeliveryOutcome } from './delivery-outcome.js';

/** One configured service (`service.slack`, `service.webhook.github`, …) that notifications are sent through. */
export interface NotificationService {
  /** The configured name subscriptions use (`github` of `service.webhook.github`). */
  readonly name: string;
  readonly type: string;
  /** Sends one notification to one recipient (a channel, an address, a team…). Never throws: failures are outcomes. */
  send(notification: RenderedNotification, recipient: string): Promise<DeliveryOutcome>;
}

/** The public endpoints of services whose settings name none; tests point them at local servers. */
export interface ServiceEndpoints {
  slack: string;
  pagerduty: string;
  github: string;
}

export const PUBLIC_ENDPOINTS: ServiceEndpoints = {
  slack: 'https://slack.com/api/',
  pagerduty: 'https://events.pagerduty.com',
  github: 'https://api.github.com',
};

/** What services send with: every connection goes through the outbound address policy. */
export interface ServiceEnvironment {
  http: HttpTransport;
  /** The address to open an SMTP connection to for `host`, once the address policy let it through. */
  smtpAddress(host: string): Promise<string>;
  now(): Date;
  /** Time allowed for one request or one SMTP exchange. */
  timeoutMs: number;
  endpoints: ServiceEndpoints;
}

/** Sends one notification with settings already read; may throw `PermanentDeliveryError` or `HttpTransportError`. */
export type Sender = (notification: RenderedNotification, recipient: string) => Promise<DeliveryOutcome>;
