import type { ChildProcess } from 'node:child_process';
import type { DatabaseClient } from '../../libs/stores/src/database/database.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import type { RedisTarget } from '../../libs/service-runtime/src/config/redis-target.js';
import { createRedisConnection } from '../../libs/service-runtime/src/redis.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { eventually, freePort, startNodeProcess, stopProcess, type NodeProcessOptions } from './processes.js';

/** Fails at once, with the exit code, when a process the system needs has died while we wait on it. */
export function alive(child: ChildProcess, name: string): void {
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode})`);
}

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Where the process serves `/metrics`. */
  metricsUrl: string;
}

/** The built API started as its own process (on `port` and `metricsPort`, else free ones), once it answers /readyz. */
export async function startApiProcess(
  environment: Record<string, string>,
  options: NodeProcessOptions & { port?: number | undefined; metricsPort?: number | undefined } = {},
): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const metricsPort = options.metricsPort ?? (await freePort());
  const child = startNodeProcess(
    'apps/api/dist/main.js',
    { ...environment, PORT: String(port), METRICS_PORT: String(metricsPort) },
    [],
    options,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        alive(child, 'the API');
        return (await fetch(`${url}/readyz`)).ok;
      },
      30_000,
      'the API to be ready',
    );
  } catch (error) {
    // Nobody holds the process yet: left running, it would outlive the test run.
    await stopProcess(child);
    throw error;
  }
  return { child, url, metricsUrl: `http://127.0.0.1:${metricsPort}` };
}

/** An organization created straight in the database (as the demo's bootstrap does); answers its admin token's secret. */
export async function createOrganizationWithAdmin(
  database: DatabaseClient,
  redis: RedisTarget,
  redisPrefix: string,
  name: string,
): Promise<string> {
  const publisher = createRedisConnection(redis);
  const subscriber = createRedisConnection(redis);
  try {
    const audit = new AuditStore(database, new EventBus(publisher, subscriber, createLogger('test', 'silent'), redisPrefix));
    const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
    return (await organizations.create(systemScope('test'), name, { name: 'admin', role: 'admin' })).secret;
  } finally {
    await Promise.allSettled([publisher.quit(), subscriber.quit()]);
  }
}
