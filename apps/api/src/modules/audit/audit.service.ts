import { Inject, Injectable } from '@nestjs/common';
import type { AuditEvent } from '../../generated/prisma/client.js';
import type { AfterCommit, DatabaseClient, Transaction } from '../../infrastructure/database.js';
import type { EventBus } from '../../infrastructure/event-bus.js';
import { DATABASE, EVENT_BUS } from '../../infrastructure/tokens.js';
import { auditEventHash, verifyChainSegment, type ChainVerdict } from './audit-chain.js';

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetName: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
}

const VERIFY_BATCH = 1000;

@Injectable()
export class AuditService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
  ) {}

  /**
   * Appends events to the organization's hash chain inside the caller's transaction. The organization row is
   * locked for the rest of the transaction, so concurrent writers extend the chain one after another. The lock is
   * `FOR NO KEY UPDATE`: rows inserted earlier in the transaction that reference the organization hold a key-share
   * lock on it, which `FOR UPDATE` would wait on, deadlocking two such transactions.
   */
  async append(
    transaction: Transaction,
    afterCommit: AfterCommit,
    organizationId: string,
    entries: readonly AuditEntry[],
    now = new Date(),
  ): Promise<AuditEvent[]> {
    if (entries.length === 0) return [];
    const [head] = await transaction.$queryRaw<{ auditSequence: number; auditHeadHash: string }[]>`
      SELECT "auditSequence", "auditHeadHash" FROM "Organization" WHERE id = ${organizationId}::uuid FOR NO KEY UPDATE`;
    if (!head) throw new Error(`organization ${organizationId} does not exist`);
    let sequence = head.auditSequence;
    let previousHash = head.auditHeadHash;
    const rows = entries.map((entry) => {
      sequence += 1;
      const fields = {
        organizationId,
        sequence,
        actor: entry.actor,
        action: entry.action,
        targetType: entry.targetType,
        targetName: entry.targetName,
        targetId: entry.targetId ?? null,
        before: entry.before ?? null,
        after: entry.after ?? null,
        reason: entry.reason ?? null,
        requestId: entry.requestId ?? null,
        occurredAt: now,
        previousHash,
      };
      const hash = auditEventHash(fields);
      previousHash = hash;
      return { ...fields, hash };
    });
    const created = await transaction.auditEvent.createManyAndReturn({
      data: rows.map((row) => ({
        ...row,
        before: row.before === null ? undefined : (row.before as object),
        after: row.after === null ? undefined : (row.after as object),
      })),
    });
    await transaction.organization.update({
      where: { id: organizationId },
      data: { auditSequence: sequence, auditHeadHash: previousHash },
    });
    afterCommit.add(async () => {
      for (const event of created) await this.eventBus.publish('auditEventAdded', { organizationId, payload: event });
    });
    return created;
  }

  /** Recomputes every hash of the organization's chain, in order, and compares the end with the recorded head. */
  async verifyChain(organizationId: string): Promise<ChainVerdict> {
    const organization = await this.database.organization.findUniqueOrThrow({ where: { id: organizationId } });
    let expected = { previousHash: '', nextSequence: 1 };
    let checkedEvents = 0;
    for (;;) {
      const batch = await this.database.auditEvent.findMany({
        where: { organizationId, sequence: { gte: expected.nextSequence } },
        orderBy: { sequence: 'asc' },
        take: VERIFY_BATCH,
      });
      const verdict = verifyChainSegment(batch, expected);
      if (!verdict.ok) {
        const verifiedBefore = checkedEvents + (verdict.sequence - expected.nextSequence);
        return { valid: false, checkedEvents: verifiedBefore, brokenAtSequence: verdict.sequence, reason: verdict.reason };
      }
      checkedEvents += batch.length;
      const last = batch.at(-1);
      if (!last) break;
      expected = { previousHash: last.hash, nextSequence: last.sequence + 1 };
      if (batch.length < VERIFY_BATCH) break;
    }
    if (checkedEvents !== organization.auditSequence) {
      const reason = `the chain ends at ${checkedEvents} but the head records ${organization.auditSequence} events`;
      return { valid: false, checkedEvents, brokenAtSequence: checkedEvents + 1, reason };
    }
    const lastEvent = await this.database.auditEvent.findFirst({ where: { organizationId }, orderBy: { sequence: 'desc' } });
    if ((lastEvent?.hash ?? '') !== organization.auditHeadHash) {
      return { valid: false, checkedEvents, brokenAtSequence: organization.auditSequence, reason: 'the newest event does not match the recorded head' };
    }
    return { valid: true, checkedEvents, brokenAtSequence: null, reason: null };
  }
}
