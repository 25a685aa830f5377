import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { AuditCheckpointStore, type AuditCheckpointRecord, AuditStore, organizationScope } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { isSequenceCursor } from './audit-cursor.js';
import { PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { subscriptionFor } from '../../common/graphql/subscription.js';
import type { EventBus } from '@flotilla/events';
import { EVENT_BUS } from '../../infrastructure/tokens.js';
import { AuditChainVerification, AuditEventFilter, AuditEventModel, AuditEventPage } from './audit-event.model.js';
import { AuditCheckpointModel, AuditCheckpointPage } from './audit-checkpoint.model.js';

@Resolver(() => AuditEventModel)
export class AuditResolver {
  constructor(
    private readonly audit: AuditStore,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
    private readonly checkpoints: AuditCheckpointStore,
  ) {}

  @Query(() => AuditEventPage, { description: 'Audit events of the organization, newest first.' })
  @RequiresRole('viewer')
  async auditEvents(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: AuditEventFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<AuditEventPage> {
    const { take, after } = pageRequest(page, isSequenceCursor);
    const rows = await this.audit.list(organizationScope(principal.organizationId), filter ?? {}, take + 1, after?.sequence);
    return toPage(rows, take, (row) => ({ sequence: row.sequence }));
  }

  @Query(() => AuditChainVerification, {
    description:
      "Recomputes the organization's audit hash chain up to its head and reports the first break; from the first event, or after a checkpoint whose signature and head hash verify.",
  })
  @RequiresRole('viewer')
  verifyAuditChain(
    @CurrentPrincipal() principal: Principal,
    @Args('fromCheckpoint', {
      type: () => ID,
      nullable: true,
      description: 'Id of a checkpoint the caller trusts: only the events after it are checked.',
    })
    fromCheckpoint?: string,
  ): Promise<AuditChainVerification> {
    return this.checkpoints.verifyChain(organizationScope(principal.organizationId), fromCheckpoint ?? undefined);
  }

  @Query(() => AuditCheckpointPage, {
    description: "Signed checkpoints of the organization's audit chain, newest first, with the key that signs new ones.",
  })
  @RequiresRole('viewer')
  async auditCheckpoints(
    @CurrentPrincipal() principal: Principal,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<AuditCheckpointPage> {
    const { take, after } = pageRequest(page, isSequenceCursor);
    const { nodes, pageInfo } = toPage(
      await this.checkpoints.list(organizationScope(principal.organizationId), take + 1, after?.sequence),
      take,
      (row) => ({
        sequence: row.sequence,
      }),
    );
    const signingKey = this.checkpoints.signingKey;
    return {
      nodes: nodes.map(toCheckpointModel),
      pageInfo,
      signingEnabled: signingKey !== null,
      keyId: signingKey?.keyId ?? null,
      publicKey: signingKey?.publicKeyPem ?? null,
    };
  }

  @Mutation(() => AuditCheckpointModel, {
    description:
      "Signs the current head of the organization's audit chain now (the worker also does at intervals); a head signed already returns its checkpoint.",
  })
  @RequiresRole('admin')
  async createAuditCheckpoint(@CurrentPrincipal() principal: Principal): Promise<AuditCheckpointModel> {
    return toCheckpointModel(await this.checkpoints.create(organizationScope(principal.organizationId), new Date()));
  }

  @Subscription(() => AuditEventModel, { description: 'Every audit event of the organization as it is written.' })
  @RequiresRole('viewer')
  auditEventAdded(@CurrentPrincipal() principal: Principal): AsyncIterableIterator<{ auditEventAdded: AuditEventModel }> {
    return subscriptionFor(this.eventBus, 'auditEventsAdded', principal.organizationId, (events: AuditEventModel[]) =>
      events.map((event) => ({ auditEventAdded: { ...event, occurredAt: new Date(event.occurredAt) } })),
    );
  }
}

const toCheckpointModel = ({ publicKeyPem, ...checkpoint }: AuditCheckpointRecord): AuditCheckpointModel => ({
  id: checkpoint.id,
  organizationId: checkpoint.organizationId,
  sequence: checkpoint.sequence,
  headHash: checkpoint.headHash,
  signedAt: checkpoint.signedAt,
  keyId: checkpoint.keyId,
  publicKey: publicKeyPem,
  signature: checkpoint.signature,
});
