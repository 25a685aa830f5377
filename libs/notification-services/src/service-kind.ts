import type { JsonObject } from '@flotilla/notifications';
import type { z } from 'zod';
import type { Sender, ServiceEnvironment } from './notification-service.js';
import { ServiceSettingsError, settingsIssues, type SettingsIssue } from './settings/settings-error.js';

/** A service type (`slack`, `webhook`, …): how its settings read and how it sends. */
export interface ServiceKind {
  readonly type: string;
  /** The problems of settings as applied, `$secret-key` references unresolved; empty when they are fine. */
  validate(key: string, settings: JsonObject): SettingsIssue[];
  /** A sender over settings whose references are resolved; throws `ServiceSettingsError` when they do not read. */
  create(key: string, name: string, settings: JsonObject, environment: ServiceEnvironment): Sender;
}

export interface SenderContext {
  /** The configured name (`github` of `service.webhook.github`): webhook templates are keyed by it. */
  name: string;
  environment: ServiceEnvironment;
}

export function defineServiceKind<Schema extends z.ZodType>(
  type: string,
  schema: Schema,
  create: (settings: z.output<Schema>, context: SenderContext) => Sender,
): ServiceKind {
  return {
    type,
    validate(key, settings) {
      const parsed = schema.safeParse(settings);
      return parsed.success ? [] : settingsIssues(key, parsed.error);
    },
    create(key, name, settings, environment) {
      const parsed = schema.safeParse(settings);
      if (!parsed.success) throw new ServiceSettingsError(settingsIssues(key, parsed.error));
      return create(parsed.data, { name, environment });
    },
  };
}
