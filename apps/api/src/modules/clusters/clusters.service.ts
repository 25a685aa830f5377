import { Inject, Injectable } from '@nestjs/common';
import { type Cluster, inTransaction, isUniqueViolation, type DatabaseClient, prismaSession, AuditService } from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { generateSecret, hashSecret, ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import { DATABASE } from '../../infrastructure/tokens.js';
import { assertDnsLabel, assertLabels } from '../../common/kubernetes-names.js';

export interface RegisteredCluster {
  cluster: Cluster;
  agentToken: string;
}

@Injectable()
export class ClustersService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly audit: AuditService,
  ) {}

  list(principal: Principal): Promise<Cluster[]> {
    return this.database.cluster.findMany({ where: { organizationId: principal.organizationId }, orderBy: { name: 'asc' } });
  }

  async get(principal: Principal, name: string): Promise<Cluster> {
    const cluster = await this.database.cluster.findUnique({
      where: { organizationId_name: { organizationId: principal.organizationId, name } },
    });
    if (!cluster) throw notFound(ErrorCode.ClusterNotFound, `cluster ${name}`);
    return cluster;
  }

  async register(principal: Principal, name: string, labels: Record<string, string>, requestId: string): Promise<RegisteredCluster> {
    assertDnsLabel('name', name);
    assertLabels('labels', labels);
    const agentToken = generateSecret('agent');
    try {
      const cluster = await inTransaction(this.database, async (transaction, afterCommit) => {
        const created = await transaction.cluster.create({
          data: { organizationId: principal.organizationId, name, labels, agentTokenHash: hashSecret(agentToken) },
        });
        await this.audit.append(prismaSession(transaction), afterCommit, principal.organizationId, [
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

  /** Issues a new agent token; the old one stops working at once. */
  async rotateAgentToken(principal: Principal, name: string, requestId: string): Promise<RegisteredCluster> {
    const existing = await this.get(principal, name);
    const agentToken = generateSecret('agent');
    const cluster = await inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await transaction.cluster.update({ where: { id: existing.id }, data: { agentTokenHash: hashSecret(agentToken) } });
      await this.audit.append(prismaSession(transaction), afterCommit, principal.organizationId, [
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
