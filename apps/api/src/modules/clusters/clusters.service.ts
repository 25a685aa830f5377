import { Inject, Injectable } from '@nestjs/common';
import {
  AuditStore,
  ClusterStore,
  type ClusterLabels,
  type ClusterRecord,
  inTransaction,
  isUniqueViolation,
  type DatabaseClient,
  organizationScope,
  prismaSession,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { generateSecret, ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import { DATABASE } from '../../infrastructure/tokens.js';
import { assertDnsLabel, assertLabels } from '../../common/kubernetes-names.js';

export interface RegisteredCluster {
  cluster: ClusterRecord;
  agentToken: string;
}

@Injectable()
export class ClustersService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly clusters: ClusterStore,
    private readonly audit: AuditStore,
  ) {}

  list(principal: Principal): Promise<ClusterRecord[]> {
    return this.clusters.list(organizationScope(principal.organizationId));
  }

  async get(principal: Principal, name: string): Promise<ClusterRecord> {
    const cluster = await this.clusters.findByName(organizationScope(principal.organizationId), name);
    if (!cluster) throw notFound(ErrorCode.ClusterNotFound, `cluster ${name}`);
    return cluster;
  }

  async register(principal: Principal, name: string, labels: ClusterLabels, requestId: string): Promise<RegisteredCluster> {
    assertDnsLabel('name', name);
    assertLabels('labels', labels);
    const scope = organizationScope(principal.organizationId);
    const agentToken = generateSecret('agent');
    try {
      const cluster = await inTransaction(this.database, async (transaction, afterCommit) => {
        const created = await this.clusters.register(scope, transaction, { name, labels, agentToken });
        await this.audit.append(scope, prismaSession(transaction), afterCommit, [
          {
            actor: actorOf(principal),
            action: 'cluster.registered',
            targetType: 'Cluster',
            targetName: name,
            targetId: created.id,
            after: { name, labels },
            requestId,
          },
        ]);
        return created;
      });
      return { cluster, agentToken };
    } catch (error) {
      if (isUniqueViolation(error))
        throw new FlotillaError(ErrorCode.ClusterExists, `cluster ${name} is already registered`, [
          { path: 'name', message: 'already registered' },
        ]);
      throw error;
    }
  }

  /** Replaces the cluster's labels, which fleet selectors match; the audit keeps them before and after. */
  async updateLabels(principal: Principal, name: string, labels: unknown, requestId: string): Promise<ClusterRecord> {
    assertLabels('labels', labels);
    const scope = organizationScope(principal.organizationId);
    const existing = await this.get(principal, name);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await this.clusters.updateLabels(scope, transaction, name, labels);
      if (!updated) throw notFound(ErrorCode.ClusterNotFound, `cluster ${name}`);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        {
          actor: actorOf(principal),
          action: 'cluster.labels_updated',
          targetType: 'Cluster',
          targetName: name,
          targetId: updated.id,
          before: { labels: existing.labels },
          after: { labels: updated.labels },
          requestId,
        },
      ]);
      return updated;
    });
  }

  /** Issues a new agent token; the old one stops working at once. */
  async rotateAgentToken(principal: Principal, name: string, requestId: string): Promise<RegisteredCluster> {
    const scope = organizationScope(principal.organizationId);
    const existing = await this.get(principal, name);
    const agentToken = generateSecret('agent');
    const cluster = await inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await this.clusters.replaceAgentToken(scope, transaction, existing.id, agentToken);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        {
          actor: actorOf(principal),
          action: 'cluster.agent_token_rotated',
          targetType: 'Cluster',
          targetName: name,
          targetId: existing.id,
          requestId,
        },
      ]);
      return updated;
    });
    return { cluster, agentToken };
  }
}
