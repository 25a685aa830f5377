import {
  integer,
  list,
  loadSettings,
  port,
  readControlPlaneSettings,
  readMetricsListener,
  requireDistinctPorts,
  type ControlPlaneSettings,
  type Environment,
  type MetricsListener,
  type SettingsReader,
} from '@flotilla/service-runtime';

export interface WorkerConfig extends ControlPlaneSettings, MetricsListener {
  /** Reconciles running at once; the ones that reach the database together share its round trips. */
  concurrency: number;
  /** Measurements wait on providers, so they get their own slots and never hold up reconciles. */
  analysisConcurrency: number;
  /** Agents' answers are short database writes, taken apart from measurements so that neither waits for the other. */
  recordConcurrency: number;
  /** Fleet release decisions at once; each holds a Prisma connection for its transaction. */
  fleetConcurrency: number;
  /** How often Postgres is swept for rollouts, experiments and analysis runs whose jobs may have been lost. */
  sweepIntervalMs: number;
  /** A cluster whose agent has not been heard of for this long is marked disconnected, whichever API process it was on. */
  agentSilenceLimitMs: number;
  /** How long a job stays locked to its worker without a renewal; a dead worker's jobs go to another after it. */
  jobLockMs: number;
  /** Finished analysis runs older than this are deleted. */
  analysisHistoryDays: number;
  /** Connections of the Prisma client and of the hand-written SQL on the hot paths. */
  databasePoolSize: number;
  sqlPoolSize: number;
  /** Networks (CIDR) that central measurements may reach. */
  centralMeasurementAllow: string[];
  centralCredentialsDirectory: string | undefined;
  /** Notification attempts at once; each mostly waits on a receiver, so many fit on one process. */
  notificationConcurrency: number;
  /** Attempts per second of one organization's service, across every worker; 0 sets none. */
  notificationRatePerService: number;
  /** Attempts of a delivery that keeps failing for reasons that may pass (5xx, 429, timeouts) before it is given up. */
  notificationMaxAttempts: number;
  /** Addresses, networks and host names notifications may reach beyond public unicast ones. */
  notificationAllow: string[];
  /** How long one request of a notification attempt may take before it counts as a timeout. */
  notificationTimeoutMs: number;
  /** How long a claimed delivery is left to its attempt: at least `minimumNotificationClaimMs(notificationTimeoutMs)`. */
  notificationClaimMs: number;
  /** Where `/healthz` and `/readyz` are served; port 0 takes any free port (logged at boot). */
  healthHost: string;
  healthPort: number;
}

export const readWorkerConfig: SettingsReader<WorkerConfig> = (environment, problems) => {
  const config: WorkerConfig = {
    ...readControlPlaneSettings(environment, problems),
    concurrency: integer(environment, 'WORKER_CONCURRENCY', 64, problems),
    analysisConcurrency: integer(environment, 'ANALYSIS_CONCURRENCY', 48, problems),
    recordConcurrency: integer(environment, 'RECORD_CONCURRENCY', 8, problems),
    fleetConcurrency: integer(environment, 'FLEET_CONCURRENCY', 4, problems),
    sweepIntervalMs: integer(environment, 'SWEEP_INTERVAL_MS', 10_000, problems, 100),
    agentSilenceLimitMs: integer(environment, 'AGENT_SILENCE_LIMIT_MS', 20_000, problems, 1000),
    jobLockMs: integer(environment, 'JOB_LOCK_MS', 30_000, problems, 1000),
    analysisHistoryDays: integer(environment, 'ANALYSIS_HISTORY_DAYS', 90, problems),
    databasePoolSize: integer(environment, 'DATABASE_POOL_SIZE', 8, problems),
    sqlPoolSize: integer(environment, 'SQL_POOL_SIZE', 24, problems),
    centralMeasurementAllow: list(environment, 'CENTRAL_MEASUREMENT_ALLOW'),
    centralCredentialsDirectory: environment.CENTRAL_CREDENTIALS_DIR || undefined,
    notificationConcurrency: integer(environment, 'NOTIFICATION_CONCURRENCY', 64, problems),
    notificationRatePerService: integer(environment, 'NOTIFICATION_RATE_PER_SERVICE', 0, problems, 0),
    notificationMaxAttempts: integer(environment, 'NOTIFICATION_MAX_ATTEMPTS', 8, problems),
    notificationAllow: list(environment, 'NOTIFICATION_ALLOW'),
    ...readNotificationClaim(environment, problems),
    healthHost: environment.WORKER_HEALTH_HOST || '127.0.0.1',
    healthPort: port(environment, 'WORKER_HEALTH_PORT', 3001, problems),
    ...readMetricsListener(environment, 9465, problems),
  };
  requireDistinctPorts(config, { name: 'WORKER_HEALTH_PORT', host: config.healthHost, port: config.healthPort }, problems);
  return config;
};

/** Requests one attempt makes at most: a Slack lookup before the post, a GitHub App token before the call. */
const REQUESTS_PER_ATTEMPT = 2;
/** Beyond the requests, for recording the outcome after the last answer. */
const CLAIM_MARGIN_MS = 20_000;

/**
 * The shortest claim that outlasts an attempt whose requests each take up to `timeoutMs`, with a margin for
 * recording its outcome: a shorter one would let another worker take the row while it is being sent.
 * @example minimumNotificationClaimMs(10_000) // → 40_000
 */
export function minimumNotificationClaimMs(timeoutMs: number): number {
  return REQUESTS_PER_ATTEMPT * timeoutMs + CLAIM_MARGIN_MS;
}

function readNotificationClaim(
  environment: Environment,
  problems: string[],
): Pick<WorkerConfig, 'notificationTimeoutMs' | 'notificationClaimMs'> {
  const notificationTimeoutMs = integer(environment, 'NOTIFICATION_TIMEOUT_MS', 10_000, problems, 100);
  const minimum = minimumNotificationClaimMs(notificationTimeoutMs);
  const notificationClaimMs = integer(environment, 'NOTIFICATION_CLAIM_MS', minimum, problems);
  if (notificationClaimMs < minimum)
    problems.push(
      `NOTIFICATION_CLAIM_MS must be at least ${minimum} (${REQUESTS_PER_ATTEMPT} requests of NOTIFICATION_TIMEOUT_MS ${notificationTimeoutMs} and ${CLAIM_MARGIN_MS} ms to record the outcome), got ${notificationClaimMs}`,
    );
  return { notificationTimeoutMs, notificationClaimMs };
}

/** Reads and validates the worker's configuration once at boot; every problem is reported together. */
export function loadWorkerConfig(environment: Environment = process.env): WorkerConfig {
  return loadSettings(readWorkerConfig, environment);
}
