import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabaseClient, inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { prismaSession, SqlPool } from '../../libs/stores/src/database/sql.js';
import { AuditStore, type AuditEventRecord } from '../../libs/stores/src/audit/audit-store.js';
import { ClusterStore } from '../../libs/stores/src/clusters/cluster-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';

const SYSTEM = systemScope('test');

let database: DatabaseClient;
let sql: SqlPool;
let audit: AuditStore;
let clusters: ClusterStore;
let tokens: ApiTokenStore;
let organizations: OrganizationStore;
const published: AuditEventRecord[][] = [];

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  audit = new AuditStore(database, {
    publish: (_topic, message) => {
      published.push(message.payload);
      return Promise.resolve();
    },
  });
  sql = new SqlPool(inject('databaseUrl'), 1);
  clusters = new ClusterStore(database, sql);
  tokens = new ApiTokenStore(database, audit, sql);
  organizations = new OrganizationStore(database, audit, tokens);
});
afterAll(async () => {
  await Promise.all([database.$disconnect(), sql.end()]);
});

async function newOrganization(): Promise<{ scope: OrganizationScope; secret: string }> {
  const created = await organizations.create(SYSTEM, `stores-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  return { scope: organizationScope(created.organization.id), secret: created.secret };
}

const register = (scope: OrganizationScope, name: string, labels: Record<string, string> = {}) => {
  const agentToken = `agent-${randomUUID()}`;
  return inTransaction(database, async (transaction) => ({
    cluster: await clusters.register(scope, transaction, { name, labels, agentToken }),
    agentToken,
  }));
};

describe('ClusterStore', () => {
  it('keeps labels and finds a cluster by name in its organization only', async () => {
    const [mine, theirs] = [await newOrganization(), await newOrganization()];
    const { cluster } = await register(mine.scope, 'staging', { env: 'staging' });

    expect(cluster.labels).toEqual({ env: 'staging' });
    expect((await clusters.findByName(mine.scope, 'staging'))?.id).toBe(cluster.id);
    expect(await clusters.findByName(theirs.scope, 'staging')).toBeNull();
    expect(await clusters.list(theirs.scope)).toEqual([]);
    expect(Object.keys(cluster)).not.toContain('agentTokenHash');
  });

  it('authenticates agents by the current token only, and replaces it only in the owning organization', async () => {
    const [mine, theirs] = [await newOrganization(), await newOrganization()];
    const { cluster, agentToken } = await register(mine.scope, 'production');
    expect((await clusters.findByAgentToken(SYSTEM, agentToken))?.id).toBe(cluster.id);

    await expect(
      inTransaction(database, (transaction) => clusters.replaceAgentToken(theirs.scope, transaction, cluster.id, 'x')),
    ).rejects.toThrow();
    await inTransaction(database, (transaction) => clusters.replaceAgentToken(mine.scope, transaction, cluster.id, 'agent-new'));

    expect(await clusters.findByAgentToken(SYSTEM, agentToken)).toBeNull();
    expect((await clusters.findByAgentToken(SYSTEM, 'agent-new'))?.id).toBe(cluster.id);
  });

  it('records connections and heartbeats, and disconnects connected clusters only', async () => {
    const { scope } = await newOrganization();
    const { cluster } = await register(scope, 'edge');
    await clusters.markDisconnected(SYSTEM, cluster.id, new Date());
    expect((await clusters.findByName(scope, 'edge'))?.connectionState).toBe('Pending');

    const connectedAt = new Date('2030-01-01T00:00:00.000Z');
    await clusters.recordAgentConnected(SYSTEM, cluster.id, { agentVersion: '1.2.3', kubernetesVersion: null }, connectedAt);
    expect(await clusters.findByName(scope, 'edge')).toMatchObject({
      connectionState: 'Connected',
      lastHeartbeatAt: connectedAt,
      agentVersion: '1.2.3',
      kubernetesVersion: null,
    });

    // A replica whose connection ended before another replica heard from the agent leaves the cluster connected
    await clusters.markDisconnected(SYSTEM, cluster.id, new Date('2029-12-31T23:59:59.000Z'));
    expect((await clusters.findByName(scope, 'edge'))?.connectionState).toBe('Connected');
    await clusters.markDisconnected(SYSTEM, cluster.id, connectedAt);
    expect((await clusters.findByName(scope, 'edge'))?.connectionState).toBe('Disconnected');

    const heartbeatAt = new Date('2030-01-01T00:01:00.000Z');
    await clusters.recordHeartbeat(SYSTEM, cluster.id, heartbeatAt);
    expect(await clusters.findByName(scope, 'edge')).toMatchObject({ connectionState: 'Connected', lastHeartbeatAt: heartbeatAt });
  });

  it('disconnects the clusters whose agents fell silent, and no other', async () => {
    const { scope } = await newOrganization();
    const [silent, heard] = [(await register(scope, 'silent')).cluster, (await register(scope, 'heard')).cluster];
    const agent = { agentVersion: '1', kubernetesVersion: '1.30' };
    await clusters.recordAgentConnected(SYSTEM, silent.id, agent, new Date('2000-01-01T00:00:00.000Z'));
    await clusters.recordAgentConnected(SYSTEM, heard.id, agent, new Date('2000-01-01T00:10:00.000Z'));

    await inTransaction(database, (transaction) =>
      clusters.disconnectSilentAgents(SYSTEM, transaction, new Date('2000-01-01T00:05:00.000Z')),
    );

    expect((await clusters.findByName(scope, 'silent'))?.connectionState).toBe('Disconnected');
    expect((await clusters.findByName(scope, 'heard'))?.connectionState).toBe('Connected');
  });
});

describe('ApiTokenStore', () => {
  it('finds a token by its secret, and by id only in its organization', async () => {
    const [mine, theirs] = [await newOrganization(), await newOrganization()];
    const token = await tokens.findBySecret(SYSTEM, mine.secret);
    if (!token) throw new Error('the first token was not found by its secret');

    expect(token).toMatchObject({ organizationId: mine.scope.organizationId, name: 'admin', role: 'admin', createdBy: 'system:bootstrap' });
    expect(Object.keys(token)).not.toContain('tokenHash');
    expect((await tokens.find(mine.scope, token.id))?.id).toBe(token.id);
    expect(await tokens.find(theirs.scope, token.id)).toBeNull();
    expect(await tokens.find(mine.scope, 'not-a-token-id')).toBeNull();
  });
});

describe('AuditStore', () => {
  it('refuses, in an organization scope, events of another organization', async () => {
    const [mine, theirs] = [await newOrganization(), await newOrganization()];
    const entry = { actor: 'test', action: 'test.done', targetType: 'Test', targetName: 'one' };

    await expect(
      inTransaction(database, (transaction, afterCommit) =>
        audit.appendToChains(mine.scope, prismaSession(transaction), afterCommit, [
          { organizationId: theirs.scope.organizationId, entries: [entry], occurredAt: new Date() },
        ]),
      ),
    ).rejects.toThrow(/another's scope/);
    expect((await audit.head(theirs.scope)).sequence).toBe(2);
  });

  it('lists events newest first, by exact action or action prefix, and announces them after the commit', async () => {
    const { scope } = await newOrganization();
    const entries = ['deploy.started', 'deploy.finished', 'deployment.noted'].map((action) => ({
      actor: 'test',
      action,
      targetType: 'Test',
      targetName: action,
    }));
    published.length = 0;
    const appended = await inTransaction(database, (transaction, afterCommit) =>
      audit.append(scope, prismaSession(transaction), afterCommit, entries),
    );

    expect(published).toEqual([appended]);
    const actions = async (action: string) => (await audit.list(scope, { action }, 10, undefined)).map((event) => event.action);
    expect(await actions('deploy.')).toEqual(['deploy.finished', 'deploy.started']);
    expect(await actions('deploy.started')).toEqual(['deploy.started']);
    expect((await audit.list(scope, {}, 2, 5)).map((event) => event.sequence)).toEqual([4, 3]);
    expect((await audit.verifyChain(scope)).valid).toBe(true);
  });
});
