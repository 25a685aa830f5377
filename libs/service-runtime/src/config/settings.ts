import { logLevel, integer, url, type SettingsReader } from './readers.js';
import { readRedisTarget, type RedisTarget } from './redis-target.js';

/** The settings every control-plane process (the API, the worker, the tools beside them) reads the same way. */
export interface ControlPlaneSettings {
  /** `?pgbouncer=true` marks a PgBouncer in transaction pooling mode (see docs/configuration.md). */
  databaseUrl: string;
  redis: RedisTarget;
  logLevel: string;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  redisPrefix: string;
  /** Seconds a measurement may take before it is recorded as an Error; agents are told what is left of it. */
  measurementTimeoutSeconds: number;
  /** PEM PKCS#8 Ed25519 private key that signs audit checkpoints; none turns checkpoints off. */
  auditSigningKeyFile: string | undefined;
  /** The worker signs a checkpoint of an organization's audit chain when its head moved and the last one is this old. */
  auditCheckpointIntervalSeconds: number;
  /** Seconds from SIGTERM to a forced exit; within them the process closes what it holds. */
  shutdownGraceSeconds: number;
  /** Notifications one organization may decide per minute; those past it are recorded as Failed, never sent. */
  notificationsPerOrganizationPerMinute: number;
  /** The key ring notification Secrets are sealed with: a mounted file, or the text itself (see docs/notifications.md). */
  notificationKeysFile: string | undefined;
  notificationKeys: string | undefined;
}

export const readControlPlaneSettings: SettingsReader<ControlPlaneSettings> = (environment, problems) => {
  const settings: ControlPlaneSettings = {
    databaseUrl: url(environment, 'DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/flotilla', ['postgresql:', 'postgres:'], problems),
    redis: readRedisTarget(environment, problems),
    logLevel: logLevel(environment, problems),
    redisPrefix: environment.REDIS_PREFIX || 'flotilla',
    measurementTimeoutSeconds: integer(environment, 'MEASUREMENT_TIMEOUT_SECONDS', 60, problems),
    auditSigningKeyFile: environment.AUDIT_SIGNING_KEY_FILE || undefined,
    auditCheckpointIntervalSeconds: integer(environment, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS', 3600, problems),
    shutdownGraceSeconds: integer(environment, 'SHUTDOWN_GRACE_SECONDS', 20, problems),
    notificationsPerOrganizationPerMinute: integer(environment, 'NOTIFICATIONS_PER_ORGANIZATION_PER_MINUTE', 600, problems),
    notificationKeysFile: environment.NOTIFICATION_KEYS_FILE || undefined,
    notificationKeys: environment.NOTIFICATION_KEYS || undefined,
  };
  if (!/^[\w-]+$/.test(settings.redisPrefix)) problems.push('REDIS_PREFIX may hold letters, digits, "_" and "-" only');
  return settings;
};
