import {
  resolveSecretReferences,
  secretValuesFor,
  type ConfigurationOrigin,
  type LayeredSecretValues,
  type NotificationSecretValues,
  type ServiceDefinition,
} from '@flotilla/notifications';
import { errorMessage, HttpTransportError, redactSecrets } from '@flotilla/metric-providers';
import { permanent, PermanentDeliveryError, retryable, type DeliveryOutcome } from './delivery-outcome.js';
import { outcomeOfTransportFailure } from './http-outcome.js';
import type { NotificationService, Sender, ServiceEnvironment } from './notification-service.js';
import type { ServiceKind } from './service-kind.js';
import { ServiceSettingsError, type SettingsIssue } from './settings/settings-error.js';
import { emailService } from './services/email.js';
import { gitHubService } from './services/github.js';
import { grafanaService } from './services/grafana.js';
import { opsgenieService } from './services/opsgenie.js';
import { pagerDutyService } from './services/pagerduty.js';
import { slackService } from './services/slack.js';
import { teamsService, teamsWorkflowsService } from './services/teams.js';
import { webhookService } from './services/webhook.js';

const SERVICE_KINDS: ReadonlyMap<string, ServiceKind> = new Map(
  [
    webhookService,
    slackService,
    teamsService,
    teamsWorkflowsService,
    emailService,
    pagerDutyService,
    opsgenieService,
    gitHubService,
    grafanaService,
  ].map((kind) => [kind.type, kind]),
);

/** The service types notifications can be sent through. */
export const NOTIFICATION_SERVICE_TYPES: readonly string[] = [...SERVICE_KINDS.keys()];

/** The ConfigMap key a service was configured under: `service.slack`, `service.webhook.github`. */
export function serviceKey(definition: Pick<ServiceDefinition, 'name' | 'type'>): string {
  return definition.name === definition.type ? `service.${definition.type}` : `service.${definition.type}.${definition.name}`;
}

const entryPath = (definition: Pick<ServiceDefinition, 'name' | 'type'>): string => `data[${serviceKey(definition)}]`;

/**
 * What is wrong with a service's settings as applied (`$secret-key` references are not resolved here: the values
 * stay out of the check), each with its field path; empty when the service can be built.
 * @example validateServiceDefinition({ name: 'slack', type: 'slack', settings: {}, secretReferences: [] })
 * // [{ path: 'data[service.slack].token', message: 'set token (chat.postMessage) or webhookUrl (an incoming webhook)' }]
 */
export function validateServiceDefinition(definition: ServiceDefinition): SettingsIssue[] {
  const key = entryPath(definition);
  const kind = SERVICE_KINDS.get(definition.type);
  if (kind === undefined)
    return [
      { path: key, message: `service type "${definition.type}" is not supported (supported: ${NOTIFICATION_SERVICE_TYPES.join(', ')})` },
    ];
  return kind.validate(key, definition.settings);
}

function outcomeOfError(error: unknown): DeliveryOutcome {
  if (error instanceof HttpTransportError) return outcomeOfTransportFailure(error);
  if (error instanceof PermanentDeliveryError || error instanceof ServiceSettingsError) return permanent(error.message);
  return retryable(errorMessage(error));
}

/** The Secret a service of each origin reads its references from, as a missing reference names it. */
const SECRET_READ_BY: Record<ConfigurationOrigin, string> = {
  organization: 'the notification Secret',
  namespace: "the namespace's notification Secret",
};

function buildSender(definition: ServiceDefinition, secrets: NotificationSecretValues, environment: ServiceEnvironment): Sender {
  const kind = SERVICE_KINDS.get(definition.type);
  if (kind === undefined) throw new PermanentDeliveryError(`service type "${definition.type}" is not supported`);
  const missing = definition.secretReferences.filter((key) => !Object.hasOwn(secrets, key));
  if (missing.length > 0)
    throw new PermanentDeliveryError(`${SECRET_READ_BY[definition.origin]} has no ${missing.map((key) => `"${key}"`).join(', ')}`);
  return kind.create(entryPath(definition), definition.name, resolveSecretReferences(definition.settings, secrets), environment);
}

/**
 * The service `definition` describes, its `$secret-key` references resolved from the Secret its origin may read
 * (`secretValuesFor`: a namespace's service reads only the namespace's). A reference to a key that Secret does not
 * have fails every send: Argo would send the reference itself, as a token or a password. Never throws: settings that
 * cannot make a service, and anything sending throws, become outcomes, with every secret value the settings use
 * replaced by `[redacted]` in their reasons.
 * @example
 * const secrets = { organization: { 'slack-token': 'xoxb-…' }, namespace: {} };
 * const slack = createNotificationService(definition, secrets, createServiceEnvironment({ addressPolicy: {} }));
 * await slack.send({ message: 'Rollout guestbook has been completed.', fields: {} }, 'deployments');
 */
export function createNotificationService(
  definition: ServiceDefinition,
  secrets: LayeredSecretValues,
  environment: ServiceEnvironment,
): NotificationService {
  const readable = secretValuesFor(definition.origin, secrets);
  const secretValues = definition.secretReferences.flatMap((key) => readable[key] ?? []);
  let sender: Sender;
  try {
    sender = buildSender(definition, readable, environment);
  } catch (error) {
    const failure = outcomeOfError(error);
    sender = () => Promise.resolve(failure);
  }
  return {
    name: definition.name,
    type: definition.type,
    async send(notification, recipient) {
      let outcome: DeliveryOutcome;
      try {
        outcome = await sender(notification, recipient);
      } catch (error) {
        outcome = outcomeOfError(error);
      }
      return redactSecrets(outcome, secretValues);
    },
  };
}
