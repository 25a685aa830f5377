import { Inject } from '@nestjs/common';
import { Args, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { Prisma } from '../../generated/prisma/client.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { isSequenceCursor } from './audit-cursor.js';
import { PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { subscriptionFor } from '../../common/graphql/subscription.js';
import type { DatabaseClient } from '../../infrastructure/database.js';
import type { EventBus } from '../../infrastructure/event-bus.js';
import { DATABASE, EVENT_BUS } from '../../infrastructure/tokens.js';
import { AuditChainVerification, AuditEventFilter, AuditEventModel, AuditEventPage } from './audit-event.model.js';
import { AuditService } from './audit.service.js';

@Resolver(() => AuditEventModel)
export class AuditResolver {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
    private readonly audit: AuditService,
  ) {}

  @Query(() => AuditEventPage, { description: 'Audit events of the organization, newest first.' })
  @RequiresRole('viewer')
  async auditEvents(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: AuditEventFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<AuditEventPage> {
    const { take, after } = pageRequest(page, isSequenceCursor);
    const where: Prisma.AuditEventWhereInput = {
      organizationId: principal.organizationId,
      ...(filter?.actor ? { actor: filter.actor } : {}),
      ...(filter?.action ? { action: filter.action.endsWith('.') ? { startsWith: filter.action } : filter.action } : {}),
      ...(filter?.targetName ? { targetName: filter.targetName } : {}),
      ...(filter?.targetType ? { targetType: filter.targetType } : {}),
      ...(filter?.from || filter?.to ? { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
      ...(after ? { sequence: { lt: after.sequence } } : {}),
    };
    const rows = await this.database.auditEvent.findMany({ where, orderBy: { sequence: 'desc' }, take: take + 1 });
    return toPage(rows, take, (row) => ({ sequence: row.sequence }));
  }

  @Query(() => AuditChainVerification, { description: 'Recomputes the organization\'s audit hash chain and reports the first break.' })
  @RequiresRole('viewer')
  verifyAuditChain(@CurrentPrincipal() principal: Principal): Promise<AuditChainVerification> {
    return this.audit.verifyChain(principal.organizationId);
  }

  @Subscription(() => AuditEventModel, { description: 'Every audit event of the organization as it is written.' })
  @RequiresRole('viewer')
  auditEventAdded(@CurrentPrincipal() principal: Principal): AsyncIterableIterator<{ auditEventAdded: AuditEventModel }> {
    return subscriptionFor(this.eventBus, 'auditEventsAdded', principal.organizationId, (events: AuditEventModel[]) =>
      events.map((event) => ({ auditEventAdded: { ...event, occurredAt: new Date(event.occurredAt) } })),
    );
  }
}
