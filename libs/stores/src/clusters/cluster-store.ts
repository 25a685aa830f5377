import { z } from 'zod';
import { hashSecret } from '@flotilla/service-runtime';
import type { Prisma } from '../generated/prisma/client.js';
import { ConnectionState } from '../generated/prisma/enums.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import type { PreparedStatement, SqlPool } from '../database/sql.js';
import { objectColumn } from '../scope/json-column.js';
import type { OrganizationScope, SystemScope } from '../scope/scope.js';

export { ConnectionState };

/** Labels given at registration, such as `{"env":"prod"}`. */
export type ClusterLabels = Record<string, string>;

/** A Kubernetes cluster of an organization, reached through its agent. Its agent token's hash never leaves the store. */
export interface ClusterRecord {
  id: string;
  organizationId: string;
  name: string;
  labels: ClusterLabels;
  connectionState: ConnectionState;
  lastHeartbeatAt: Date | null;
  agentVersion: string | null;
  kubernetesVersion: string | null;
  createdAt: Date;
}

export const clusterLabelsColumn = objectColumn<ClusterLabels>('Cluster.labels', [], z.record(z.string(), z.string()));

/** What the agent reports of itself when it connects. */
export interface AgentIdentity {
  agentVersion: string;
  kubernetesVersion: string | null;
}

const RECORD_FIELDS = {
  id: true,
  organizationId: true,
  name: true,
  labels: true,
  connectionState: true,
  lastHeartbeatAt: true,
  agentVersion: true,
  kubernetesVersion: true,
  createdAt: true,
} as const;

type ClusterRow = Omit<ClusterRecord, 'labels'> & { labels: Prisma.JsonValue };

const toRecord = (row: ClusterRow): ClusterRecord => ({ ...row, labels: clusterLabelsColumn.decode(row.labels) });

/**
 * An agent heard of, hand-written: every agent's heartbeat is recorded every few seconds, and the Prisma client's
 * planning of the update cost the API as much as the report of a rollout. $1 cluster id, $2 time. Answers the
 * state the cluster was in, read under the row's lock so that a sweep marking it at the same moment is seen.
 */
export const RECORD_HEARTBEAT: PreparedStatement = {
  name: 'agent-record-heartbeat',
  text: `UPDATE "Cluster" AS cluster SET "lastHeartbeatAt" = $2::timestamp, "connectionState" = 'Connected'
  FROM (SELECT id, "connectionState" FROM "Cluster" WHERE id = $1::uuid FOR UPDATE) AS previous
  WHERE cluster.id = previous.id
  RETURNING previous."connectionState" AS "previousState"`,
};

/**
 * Clusters and their agents' connection state. Agent tokens are stored as their hash: the store takes the secret and
 * hashes it, for registration and authentication alike. `sql` is what the agent gateway's heartbeats are recorded
 * with; a store made without it serves everything else.
 */
export class ClusterStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly sql?: SqlPool,
  ) {}

  /** Every cluster of the organization, by name. */
  async list(scope: OrganizationScope): Promise<ClusterRecord[]> {
    const rows = await this.database.cluster.findMany({
      where: { organizationId: scope.organizationId },
      orderBy: { name: 'asc' },
      select: RECORD_FIELDS,
    });
    return rows.map(toRecord);
  }

  async findByName(scope: OrganizationScope, name: string): Promise<ClusterRecord | null> {
    const row = await this.database.cluster.findUnique({
      where: { organizationId_name: { organizationId: scope.organizationId, name } },
      select: RECORD_FIELDS,
    });
    return row === null ? null : toRecord(row);
  }

  /** Registers a cluster inside the caller's transaction; a name the organization has already fails as a unique violation. */
  async register(
    scope: OrganizationScope,
    transaction: Transaction,
    cluster: { name: string; labels: ClusterLabels; agentToken: string },
  ): Promise<ClusterRecord> {
    const row = await transaction.cluster.create({
      data: {
        organizationId: scope.organizationId,
        name: cluster.name,
        labels: clusterLabelsColumn.encode(cluster.labels),
        agentTokenHash: hashSecret(cluster.agentToken),
      },
      select: RECORD_FIELDS,
    });
    return toRecord(row);
  }

  /** Replaces the cluster's labels inside the caller's transaction; null when the organization has no such cluster. */
  async updateLabels(
    scope: OrganizationScope,
    transaction: Transaction,
    name: string,
    labels: ClusterLabels,
  ): Promise<ClusterRecord | null> {
    const { count } = await transaction.cluster.updateMany({
      where: { organizationId: scope.organizationId, name },
      data: { labels: clusterLabelsColumn.encode(labels) },
    });
    if (count === 0) return null;
    const row = await transaction.cluster.findUnique({
      where: { organizationId_name: { organizationId: scope.organizationId, name } },
      select: RECORD_FIELDS,
    });
    return row === null ? null : toRecord(row);
  }

  /** Gives the cluster a new agent token inside the caller's transaction; the old one stops working at the commit. */
  async replaceAgentToken(scope: OrganizationScope, transaction: Transaction, id: string, agentToken: string): Promise<ClusterRecord> {
    const row = await transaction.cluster.update({
      where: { id, organizationId: scope.organizationId },
      data: { agentTokenHash: hashSecret(agentToken) },
      select: RECORD_FIELDS,
    });
    return toRecord(row);
  }

  /** The cluster whose agent token this is, of any organization: the agent gateway learns the organization from it. */
  async findByAgentToken(_scope: SystemScope, agentToken: string): Promise<ClusterRecord | null> {
    const row = await this.database.cluster.findUnique({ where: { agentTokenHash: hashSecret(agentToken) }, select: RECORD_FIELDS });
    return row === null ? null : toRecord(row);
  }

  /** Records that the cluster's agent connected at `at`, with the versions it reported. */
  async recordAgentConnected(_scope: SystemScope, id: string, agent: AgentIdentity, at: Date): Promise<void> {
    await this.database.cluster.update({
      where: { id },
      data: {
        connectionState: 'Connected',
        lastHeartbeatAt: at,
        agentVersion: agent.agentVersion,
        kubernetesVersion: agent.kubernetesVersion,
      },
    });
  }

  /**
   * Records a heartbeat of the cluster's agent at `at`, which also marks it connected; answers whether the cluster
   * was marked otherwise until now (the worker's sweep took it for gone while its agent was late).
   */
  async recordHeartbeat(_scope: SystemScope, id: string, at: Date): Promise<{ reconnected: boolean }> {
    if (!this.sql) throw new Error('this cluster store was made without the SQL pool heartbeats are recorded with');
    const [row] = await this.sql.query<{ previousState: ConnectionState }>(RECORD_HEARTBEAT, [id, at]);
    return { reconnected: row !== undefined && row.previousState !== ConnectionState.Connected };
  }

  /**
   * Marks the cluster disconnected, if it is connected and its agent was last heard of by `heardUntil`: the agent
   * may already be connected to another API replica, which recorded it later, and that connection stands.
   */
  async markDisconnected(_scope: SystemScope, id: string, heardUntil: Date): Promise<void> {
    await this.database.cluster.updateMany({
      where: { id, connectionState: 'Connected', lastHeartbeatAt: { lte: heardUntil } },
      data: { connectionState: 'Disconnected' },
    });
  }

  /**
   * Inside the caller's transaction, marks disconnected every connected cluster whose agent has not been heard of
   * since `silentSince`, whichever API process it was on; answers how many.
   */
  async disconnectSilentAgents(_scope: SystemScope, transaction: Transaction, silentSince: Date): Promise<number> {
    const { count } = await transaction.cluster.updateMany({
      where: { connectionState: 'Connected', lastHeartbeatAt: { lt: silentSince } },
      data: { connectionState: 'Disconnected' },
    });
    return count;
  }
}
