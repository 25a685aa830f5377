import {
  effectiveConfiguration,
  parseNotificationConfigMap,
  type ConfigurationOrigin,
  type NotificationConfiguration,
} from '@flotilla/notifications';
import type { NotificationConfigRecord, NotificationConfigsInEffect } from './notification-config-store.js';

/** Parsed configurations kept per stored version: parsing compiles every template, and rows change rarely. */
const PARSED_CACHE_SIZE = 500;

/** The configuration a subject's notifications are decided and sent with, parsed once per stored version of its rows. */
export class ParsedConfigurations {
  private readonly parsed = new Map<string, NotificationConfiguration>();

  /** The default catalog, the organization's configuration, then its namespace's. */
  effective(inEffect: NotificationConfigsInEffect): NotificationConfiguration {
    return effectiveConfiguration(this.parse(inEffect.organization, 'organization'), this.parse(inEffect.namespace, 'namespace'));
  }

  private parse(record: NotificationConfigRecord | undefined, origin: ConfigurationOrigin): NotificationConfiguration | undefined {
    if (!record) return undefined;
    const key = `${record.id}.v${record.version}`;
    const cached = this.parsed.get(key);
    if (cached) return cached;
    const result = parseNotificationConfigMap(record.configData, origin);
    // Validated when applied: a row that no longer parses (an older release's) configures nothing.
    if (!result.ok) return undefined;
    if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.delete(this.parsed.keys().next().value ?? '');
    this.parsed.set(key, result.value);
    return result.value;
  }
}
