import { Inject, Injectable } from '@nestjs/common';
import type { AuditEvent } from '../../generated/prisma/client.js';
import type { AfterCommit, DatabaseClient } from '../../infrastructure/database.js';
import { uuidV7, type PreparedStatement, type SqlSession } from '../../infrastructure/sql.js';
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

const LOCK_CHAIN_HEAD: PreparedStatement = {
  name: 'audit-lock-chain-head',
  text: 'SELECT "auditSequence" AS sequence, "auditHeadHash" AS hash FROM "Organization" WHERE id = $1::uuid FOR NO KEY UPDATE',
};

/** Inserts the chained events (a JSON array) and moves the organization's chain head to the last of them. */
const APPEND_EVENTS: PreparedStatement = {
  name: 'audit-append-events',
  text: `WITH appended AS (
    INSERT INTO "AuditEvent" (id, "organizationId", sequence, actor, action, "targetType", "targetName", "targetId", before, after, reason, "requestId", "occurredAt", "previousHash", hash)
    SELECT e.id, $1::uuid, e.sequence, e.actor, e.action, e."targetType", e."targetName", e."targetId", e.before, e.after, e.reason, e."requestId", $2::timestamp, e."previousHash", e.hash
    FROM jsonb_to_recordset($3::jsonb) AS e(id uuid, sequence integer, actor text, action text, "targetType" text, "targetName" text, "targetId" text, before jsonb, after jsonb, reason text, "requestId" text, "previousHash" text, hash text)
  )
  UPDATE "Organization" SET "auditSequence" = $4::integer, "auditHeadHash" = $5::text WHERE id = $1::uuid`,
};

@Injectable()
export class AuditService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
  ) {}

  /**
   * Appends events to the organization's hash chain inside the caller's transaction, in two statements: the first
   * locks the organization's chain head, the second inserts the events and moves the head. The lock lasts until
   * the commit, so concurrent writers extend the chain one after another; callers append last, just before they
   * commit, to hold it briefly. The lock is `FOR NO KEY UPDATE`: rows inserted earlier in the transaction that
   * reference the organization hold a key-share lock on it, which `FOR UPDATE` would wait on, deadlocking two such
   * transactions.
   */
  async append(
    session: SqlSession,
    afterCommit: AfterCommit,
    organizationId: string,
    entries: readonly AuditEntry[],
    now = new Date(),
  ): Promise<AuditEvent[]> {
    if (entries.length === 0) return [];
    const [head] = await session.query<{ sequence: number; hash: string }>(LOCK_CHAIN_HEAD, [organizationId]);
    if (!head) throw new Error(`organization ${organizationId} does not exist`);
    let sequence = head.sequence;
    let previousHash = head.hash;
    const events = entries.map((entry): AuditEvent => {
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
      return { id: uuidV7(now.getTime()), ...fields, before: fields.before as AuditEvent['before'], after: fields.after as AuditEvent['after'], hash };
    });
    const rows = events.map(({ organizationId: _organization, occurredAt: _occurredAt, ...row }) => row);
    await session.query(APPEND_EVENTS, [organizationId, now, JSON.stringify(rows), sequence, previousHash]);
    afterCommit.add(async () => {
      for (const event of events) await this.eventBus.publish('auditEventAdded', { organizationId, payload: event });
    });
    return events;
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
