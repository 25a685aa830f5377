import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterAll, inject } from 'vitest';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { ClusterStore } from '../../libs/stores/src/clusters/cluster-store.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';

/** The connections and stores most worker tests build on, against the test Postgres and Redis. */
export interface FileStores {
  database: DatabaseClient;
  sql: SqlPool;
  redis: Redis;
  /** Publishes and listens under the file's key prefix; started. */
  eventBus: EventBus;
  audit: AuditStore;
  organizations: OrganizationStore;
  clusters: ClusterStore;
  rollouts: RolloutStore;
}

/**
 * The stores a test file shares, opened while the file is collected and closed after its last test (after the file's
 * own `afterAll`, which closes its queues): `const { database, rollouts } = await storesForThisFile(PREFIX, logger);`.
 */
export async function storesForThisFile(prefix: string, logger: Logger): Promise<FileStores> {
  const database = createDatabaseClient(inject('databaseUrl'), 4);
  const sql = new SqlPool(inject('databaseUrl'), 2);
  const redis = new Redis(inject('redisUrl'));
  const subscriber = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await Promise.allSettled([database.$disconnect(), sql.end(), redis.quit(), subscriber.quit()]);
  });
  const eventBus = new EventBus(redis, subscriber, logger, prefix);
  await eventBus.start();
  const audit = new AuditStore(database, eventBus);
  return {
    database,
    sql,
    redis,
    eventBus,
    audit,
    organizations: new OrganizationStore(database, audit, new ApiTokenStore(database, audit)),
    clusters: new ClusterStore(database),
    rollouts: new RolloutStore(database, { sql, audit }),
  };
}
