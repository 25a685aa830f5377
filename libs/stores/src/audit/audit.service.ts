import type { AuditEvent } from '../generated/prisma/client.js';
import type { AfterCommit, DatabaseClient } from '../database/database.js';
import { uuidV7, type PreparedStatement, type SqlSession } from '../database/sql.js';
import { verifyChainSegment, type ChainPosition } from '@flotilla/protocol';
import { auditEventHash, type ChainVerdict } from './audit-chain.js';

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
const GENESIS: ChainPosition = { previousHash: '', nextSequence: 1 };

/** Chain heads are locked in id order, so that two writers appending to the same organizations cannot deadlock. */
const LOCK_CHAIN_HEADS: PreparedStatement = {
  name: 'audit-lock-chain-heads',
  text: 'SELECT id, "auditSequence" AS sequence, "auditHeadHash" AS hash FROM "Organization" WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE',
};

/** Inserts the chained events (a JSON array) and moves each organization's chain head to its last one. */
const APPEND_EVENTS: PreparedStatement = {
  name: 'audit-append-events',
  text: `WITH appended AS (
    INSERT INTO "AuditEvent" (id, "organizationId", sequence, actor, action, "targetType", "targetName", "targetId", before, after, reason, "requestId", "occurredAt", "previousHash", hash)
    SELECT e.id, e."organizationId", e.sequence, e.actor, e.action, e."targetType", e."targetName", e."targetId", e.before, e.after, e.reason, e."requestId", e."occurredAt", e."previousHash", e.hash
    FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, "organizationId" uuid, sequence integer, actor text, action text, "targetType" text, "targetName" text, "targetId" text,
      before jsonb, after jsonb, reason text, "requestId" text, "occurredAt" timestamp, "previousHash" text, hash text)
  )
  UPDATE "Organization" o SET "auditSequence" = h.sequence, "auditHeadHash" = h.hash FROM jsonb_to_recordset($2::jsonb) AS h(id uuid, sequence integer, hash text) WHERE o.id = h.id`,
};

export interface AuditAppend {
  organizationId: string;
  entries: readonly AuditEntry[];
  occurredAt: Date;
}

/** Where appended events are announced after the commit (the event bus, in every process). */
export interface AuditEventsPublisher {
  publish(topic: 'auditEventsAdded', message: { organizationId: string; payload: AuditEvent[] }): Promise<void>;
}

export class AuditService {
  constructor(
    private readonly database: DatabaseClient,
    private readonly eventBus: AuditEventsPublisher,
  ) {}

  /** Appends events to one organization's hash chain inside the caller's transaction; see `appendToChains`. */
  append(
    session: SqlSession,
    afterCommit: AfterCommit,
    organizationId: string,
    entries: readonly AuditEntry[],
    now = new Date(),
  ): Promise<AuditEvent[]> {
    return this.appendToChains(session, afterCommit, [{ organizationId, entries, occurredAt: now }]);
  }

  /**
   * Appends events to the hash chains of their organizations inside the caller's transaction, in two statements:
   * the first locks the chain heads, the second inserts the events and moves the heads. The locks last until the
   * commit, so concurrent writers extend a chain one after another; callers append last, just before they commit,
   * to hold them briefly. The locks are `FOR NO KEY UPDATE`: rows inserted earlier in the transaction that
   * reference an organization hold a key-share lock on it, which `FOR UPDATE` would wait on, deadlocking two
   * such transactions.
   */
  async appendToChains(session: SqlSession, afterCommit: AfterCommit, appends: readonly AuditAppend[]): Promise<AuditEvent[]> {
    const entriesByOrganization = new Map<string, TimedEntry[]>();
    for (const { organizationId, entries, occurredAt } of appends) {
      if (entries.length === 0) continue;
      const timed = entriesByOrganization.get(organizationId) ?? [];
      for (const entry of entries) timed.push({ entry, occurredAt });
      entriesByOrganization.set(organizationId, timed);
    }
    if (entriesByOrganization.size === 0) return [];
    const heads = await session.query<{ id: string; sequence: number; hash: string }>(LOCK_CHAIN_HEADS, [
      [...entriesByOrganization.keys()],
    ]);
    const chains = [...entriesByOrganization].map(([organizationId, entries]) => {
      const head = heads.find((candidate) => candidate.id === organizationId);
      if (!head) throw new Error(`organization ${organizationId} does not exist`);
      return { organizationId, events: chainEvents(organizationId, head, entries) };
    });
    const events = chains.flatMap((chain) => chain.events);
    const movedHeads = chains.map(({ organizationId, events: chained }) => {
      const last = chained.at(-1) as AuditEvent;
      return { id: organizationId, sequence: last.sequence, hash: last.hash };
    });
    await session.query(APPEND_EVENTS, [JSON.stringify(events), JSON.stringify(movedHeads)]);
    // One message per organization, its events in chain order.
    afterCommit.add(async () => {
      await Promise.all(
        chains.map(({ organizationId, events: chained }) =>
          this.eventBus.publish('auditEventsAdded', { organizationId, payload: chained }),
        ),
      );
    });
    return events;
  }

  /**
   * Recomputes the hashes of the organization's chain in order, from the first event or from a trusted position
   * (a verified checkpoint), up to the head recorded when it starts: events appended meanwhile are left for the next
   * verification. The head's event must be the last one and carry the recorded head hash.
   */
  async verifyChain(organizationId: string, from: ChainPosition = GENESIS): Promise<ChainVerdict> {
    const head = await this.database.organization.findUniqueOrThrow({
      where: { id: organizationId },
      select: { auditSequence: true, auditHeadHash: true },
    });
    const fromSequence = from.nextSequence - 1;
    let expected = from;
    let checkedEvents = 0;
    while (expected.nextSequence <= head.auditSequence) {
      const batch = await this.database.auditEvent.findMany({
        where: { organizationId, sequence: { gte: expected.nextSequence, lte: head.auditSequence } },
        orderBy: { sequence: 'asc' },
        take: VERIFY_BATCH,
      });
      const verdict = verifyChainSegment(batch, expected, auditEventHash);
      if (!verdict.ok) {
        const verifiedBefore = checkedEvents + (verdict.sequence - expected.nextSequence);
        return { valid: false, fromSequence, checkedEvents: verifiedBefore, brokenAtSequence: verdict.sequence, reason: verdict.reason };
      }
      checkedEvents += batch.length;
      const last = batch.at(-1);
      if (!last) break;
      expected = { previousHash: last.hash, nextSequence: last.sequence + 1 };
    }
    const lastSequence = expected.nextSequence - 1;
    if (lastSequence !== head.auditSequence) {
      const reason = `the chain ends at ${lastSequence} but the head records ${head.auditSequence} events`;
      return { valid: false, fromSequence, checkedEvents, brokenAtSequence: lastSequence + 1, reason };
    }
    if (expected.previousHash !== head.auditHeadHash) {
      return {
        valid: false,
        fromSequence,
        checkedEvents,
        brokenAtSequence: head.auditSequence,
        reason: 'the newest event does not match the recorded head',
      };
    }
    return { valid: true, fromSequence, checkedEvents, brokenAtSequence: null, reason: null };
  }
}

interface TimedEntry {
  entry: AuditEntry;
  occurredAt: Date;
}

/** The events that extend a chain from `head`, each hashed over its content and the hash of the one before. */
function chainEvents(organizationId: string, head: { sequence: number; hash: string }, entries: readonly TimedEntry[]): AuditEvent[] {
  let sequence = head.sequence;
  let previousHash = head.hash;
  return entries.map(({ entry, occurredAt }): AuditEvent => {
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
      occurredAt,
      previousHash,
    };
    const hash = auditEventHash(fields);
    previousHash = hash;
    return {
      id: uuidV7(occurredAt.getTime()),
      ...fields,
      before: fields.before as AuditEvent['before'],
      after: fields.after as AuditEvent['after'],
      hash,
    };
  });
}
