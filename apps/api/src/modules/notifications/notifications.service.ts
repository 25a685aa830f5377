import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import {
  AuditStore,
  inTransaction,
  NotificationDeliveryStore,
  NotificationMuteStore,
  organizationScope,
  prismaSession,
  RolloutStore,
  rolloutTargetName,
  type DatabaseClient,
  type NotificationDeliveryRecord,
  type NotificationMuteRecord,
  type OrganizationScope,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { isIdCursor, pageRequest, toPage, type PageInput } from '../../common/graphql/pagination.js';
import { assertReason } from '../../common/reason.js';
import { DATABASE } from '../../infrastructure/tokens.js';
import type { RolloutRef } from '../rollouts/rollout.model.js';
import {
  NotificationDeliveryStateModel,
  type NotificationDeliveryFilterInput,
  type NotificationDeliveryModel,
  type NotificationDeliveryPage,
  type NotificationMuteInput,
  type NotificationMuteModel,
} from './notifications.models.js';

const MUTE_SECONDS = { minimum: 60, maximum: 30 * 24 * 3600 };

/** A stored delivery as the API answers it. */
export function toDeliveryModel(record: NotificationDeliveryRecord): NotificationDeliveryModel {
  return {
    id: record.id,
    subjectKind: record.subject.kind,
    subject: record.subject.name,
    trigger: record.trigger,
    service: record.service,
    serviceType: record.serviceType,
    recipient: record.recipient,
    message: record.notification.message,
    title: record.notification.title ?? null,
    fields: record.notification.fields,
    state: NotificationDeliveryStateModel[record.state],
    attempts: record.attempts,
    lastError: record.lastError,
    createdAt: record.createdAt,
    deliveredAt: record.deliveredAt,
    nextAttemptAt: record.state === 'Pending' ? record.nextAttemptAt : null,
  };
}

const toMuteModel = (record: NotificationMuteRecord): NotificationMuteModel => ({
  id: record.id,
  rollout: record.subjectName,
  trigger: record.trigger,
  service: record.service,
  reason: record.reason,
  until: record.until,
  createdBy: record.createdBy,
  revokedAt: record.revokedAt,
});

/** The delivery log and mutes of notifications. */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly deliveries: NotificationDeliveryStore,
    private readonly mutes: NotificationMuteStore,
    private readonly rollouts: RolloutStore,
    private readonly audit: AuditStore,
  ) {}

  /** A page of the organization's deliveries, newest first; a rollout that does not exist has none. */
  async deliveryPage(
    principal: Principal,
    filter: NotificationDeliveryFilterInput | undefined,
    page: PageInput | undefined,
  ): Promise<NotificationDeliveryPage> {
    const scope = organizationScope(principal.organizationId);
    const { take, after } = pageRequest(page, isIdCursor);
    let subjectId: string | undefined;
    if (filter?.rollout) {
      const rollout = await this.rollouts.find(scope, filter.rollout);
      if (!rollout) return { nodes: [], pageInfo: toPage([], take, () => ({ id: '' })).pageInfo };
      subjectId = rollout.id;
    }
    const rows = await this.deliveries.list(
      scope,
      { subjectId, trigger: filter?.trigger, service: filter?.service, state: filter?.state },
      { limit: take + 1, afterId: after?.id },
    );
    const result = toPage(rows, take, (row) => ({ id: row.id }));
    return { nodes: result.nodes.map(toDeliveryModel), pageInfo: result.pageInfo };
  }

  async activeMutes(principal: Principal): Promise<NotificationMuteModel[]> {
    return (await this.mutes.inEffect(principal.organizationId, new Date())).map(toMuteModel);
  }

  /** Mutes notifications of a rollout, a trigger, a service, or what they have in common, for a time. Audited. */
  async mute(principal: Principal, input: NotificationMuteInput, requestId: string): Promise<NotificationMuteModel> {
    assertMuteInput(input);
    const scope = organizationScope(principal.organizationId);
    const subject = input.rollout ? await this.subjectOf(scope, input.rollout) : undefined;
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const now = new Date();
      const record = await this.mutes.create(scope, transaction, {
        subject,
        trigger: input.trigger ?? undefined,
        service: input.service ?? undefined,
        reason: input.reason,
        until: new Date(now.getTime() + input.durationSeconds * 1000),
        createdBy: actorOf(principal),
      });
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        this.auditOf(principal, record, 'notification.muted', requestId),
      ]);
      return toMuteModel(record);
    });
  }

  /** Ends a mute before its time. Audited. */
  async unmute(principal: Principal, id: string, requestId: string): Promise<NotificationMuteModel> {
    const scope = organizationScope(principal.organizationId);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const record = await this.mutes.revoke(scope, transaction, id, new Date());
      if (!record)
        throw new FlotillaError(ErrorCode.InputInvalid, `no mute ${id} is in effect`, [{ path: 'id', message: 'no such mute in effect' }]);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        this.auditOf(principal, record, 'notification.unmuted', requestId),
      ]);
      return toMuteModel(record);
    });
  }

  private async subjectOf(scope: OrganizationScope, ref: RolloutRef): Promise<{ id: string; name: string }> {
    const rollout = await this.rollouts.find(scope, ref);
    const name = rolloutTargetName(ref.cluster, ref.namespace, ref.name);
    if (!rollout)
      throw new FlotillaError(ErrorCode.RolloutNotFound, `rollout ${name} was not found`, [
        { path: 'input.rollout', message: 'no such rollout' },
      ]);
    return { id: rollout.id, name };
  }

  private auditOf(principal: Principal, record: NotificationMuteRecord, action: string, requestId: string) {
    return {
      actor: actorOf(principal),
      action,
      targetType: record.subjectId ? 'Rollout' : 'Organization',
      targetName: record.subjectName ?? principal.organizationId,
      targetId: record.subjectId ?? principal.organizationId,
      after: { notificationMute: record.id, trigger: record.trigger, service: record.service, until: record.until.toISOString() },
      reason: record.reason,
      requestId,
    };
  }
}

/** `muteNotifications`' input, each problem refused with its path. */
function assertMuteInput(input: NotificationMuteInput): void {
  if (!input.rollout && !input.trigger && !input.service)
    throw new FlotillaError(ErrorCode.InputInvalid, 'a mute names a rollout, a trigger or a service', [
      { path: 'input', message: 'give at least one of rollout, trigger and service' },
    ]);
  const { minimum, maximum } = MUTE_SECONDS;
  if (!Number.isInteger(input.durationSeconds) || input.durationSeconds < minimum || input.durationSeconds > maximum)
    throw new FlotillaError(ErrorCode.InputInvalid, `durationSeconds must be ${minimum} to ${maximum}`, [
      { path: 'input.durationSeconds', message: `must be an integer from ${minimum} to ${maximum}` },
    ]);
  for (const field of ['trigger', 'service'] as const) {
    const value = input[field];
    if (value !== null && value !== undefined && (value.length === 0 || value.length > 253))
      throw new FlotillaError(ErrorCode.InputInvalid, `${field} must be 1 to 253 characters`, [
        { path: `input.${field}`, message: 'must be 1 to 253 characters' },
      ]);
  }
  if (input.reason.trim() === '')
    throw new FlotillaError(ErrorCode.InputInvalid, 'a mute needs a reason', [{ path: 'input.reason', message: 'is required' }]);
  assertReason(input.reason);
}
