import { randomUUID } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import type { Role } from '../../libs/stores/src/generated/prisma/enums.js';
import { loadApiConfig } from '../../apps/api/src/config/api-config.js';
import { startApi } from '../../apps/api/src/http-server.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { graphqlData } from './graphql-client.js';
import { EVENT_BUS } from '../../apps/api/src/infrastructure/tokens.js';
import type { EventBus } from '../../libs/events/src/event-bus.js';

export interface TestOrganization {
  id: string;
  name: string;
  /** Secrets of one token per role. */
  tokens: Record<Role, string>;
  /** Agent token of each cluster registered with the organization. */
  agentTokens: Record<string, string>;
}

export interface TestApi {
  url: string;
  /** Where `/metrics` is served. */
  metricsUrl: string;
  /** What worker processes need to share this API's database and Redis keys. */
  environment: Record<string, string>;
  database: DatabaseClient;
  /** An organization with an admin, a deployer and a viewer token, and one registered cluster when asked. */
  organization(options?: { cluster?: string }): Promise<TestOrganization>;
  close(): Promise<void>;
}

/** Starts the real API on a free port against this run's database and Redis. */
export async function startTestApi(environment: Record<string, string> = {}): Promise<TestApi> {
  const shared = {
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: process.env.TEST_API_LOG_LEVEL ?? 'warn',
    ...environment,
  };
  const config = loadApiConfig({ ...shared, PORT: '0', METRICS_PORT: '0' });
  const api = await startApi(config, createLogger('api-test', 'silent'));
  const database = createDatabaseClient(config.databaseUrl, 4);
  const audit = new AuditStore(database, api.app.get<EventBus>(EVENT_BUS));
  const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  return {
    url: api.url,
    metricsUrl: api.metricsUrl,
    environment: shared,
    database,
    async organization(options = {}) {
      const name = `org-${randomUUID().slice(0, 8)}`;
      const created = await organizations.create(systemScope('test'), name, { name: 'admin', role: 'admin' });
      const tokens: Record<Role, string> = { admin: created.secret, deployer: '', viewer: '' };
      for (const role of ['deployer', 'viewer'] as const) {
        const issued = await graphqlData<{ createApiToken: { secret: string } }>(
          api.url,
          created.secret,
          'mutation($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { secret } }',
          { name: role, role },
        );
        tokens[role] = issued.createApiToken.secret;
      }
      const agentTokens: Record<string, string> = {};
      if (options.cluster) {
        const registered = await graphqlData<{ registerCluster: { agentToken: string } }>(
          api.url,
          created.secret,
          'mutation($name: String!) { registerCluster(name: $name) { agentToken } }',
          { name: options.cluster },
        );
        agentTokens[options.cluster] = registered.registerCluster.agentToken;
      }
      return { id: created.organization.id, name, tokens, agentTokens };
    },
    async close() {
      await api.close();
      await database.$disconnect();
    },
  };
}

/**
 * The API a test file shares, started while the file is collected and closed after its last test, with one
 * organization (and its cluster, when named): `const { api, org } = await apiForThisFile({ cluster: 'staging' });`.
 */
export async function apiForThisFile(
  options: { cluster?: string; environment?: Record<string, string> } = {},
): Promise<{ api: TestApi; org: TestOrganization }> {
  const api = await startTestApi(options.environment);
  afterAll(() => api.close());
  return { api, org: await api.organization(options.cluster === undefined ? {} : { cluster: options.cluster }) };
}
