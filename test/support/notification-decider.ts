import type { Logger } from 'pino';
import type { DatabaseClient } from '../../libs/stores/src/database/database.js';
import type { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import { NotificationDecider } from '../../libs/stores/src/notifications/notification-decider.js';
import { NotificationDeliveryStore } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { NotificationMuteStore } from '../../libs/stores/src/notifications/notification-mute-store.js';
import { ParsedConfigurations } from '../../libs/stores/src/notifications/parsed-configurations.js';

/** The notification decider as the worker builds it over `database`, bounded at 600 notifications a minute. */
export const testNotificationDecider = (database: DatabaseClient, configs: NotificationConfigStore, logger: Logger): NotificationDecider =>
  new NotificationDecider(
    configs,
    new NotificationDeliveryStore(database),
    new NotificationMuteStore(database),
    new ParsedConfigurations(),
    logger,
    { bound: { perMinute: 600 }, rulesTtlMs: 30_000 },
  );
