import type { Prisma } from '../generated/prisma/client.js';
import type { AfterCommit, DatabaseClient } from '../database/database.js';
import { uuidV7, type PipelinedSession, type PreparedStatement, type SqlSession } from '../database/sql.js';
import type { OrganizationScope, Scope } from '../scope/scope.js';
import { verifyChainSegment, type ChainedAuditEvent, type ChainPosition } from '@flotilla/protocol';
import { auditEventHash, type ChainVerdict } from './audit-chain.js';

/**
 * One event of an organization's audit chain. `before` and `after` hold whatever JSON the writer gave: the store
 * reads them back as they are, since nothing but the hash (which covers them verbatim) interprets them.
 */
export interface AuditEventRecord extends ChainedAuditEvent {
  id: string;
}

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

/** Which events a listing returns; every given condition must hold. */
export interface AuditEventQuery {
  actor?: string;
  /** An exact action, or a prefix ending in `.` (`rollout.`). */
  action?: string;
  targetName?: string;
  targetType?: string;
  /** Events at or after this time. */
  from?: Date;
  /** Events before this time. */
  to?: Date;
}

const VERIFY_BATCH = 1000;
const GENESIS: ChainPosition = { previousHash: '', nextSequence: 1 };

// The append is hand-written SQL: two statements for any number of events and organizations, run in the reconcile
// write, whose cost per job `npm run bench:engine` measures (docs/benchmarks.md).

/** Chain heads are locked in id order (see `AuditStore.lockChainHeads`). */
export const LOCK_CHAIN_HEADS: PreparedStatement = {
  name: 'audit-lock-chain-heads',
  text: 'SELECT id, "auditSequence" AS sequence, "auditHeadHash" AS hash FROM "Organization" WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE',
};

/** Inserts the chained events (a JSON array) and moves each organization's chain head to its last one. */
export const APPEND_EVENTS: PreparedStatement = {
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
  publish(topic: 'auditEventsAdded', message: { organizationId: string; payload: AuditEventRecord[] }): Promise<void>;
}

/** The organizations' append-only audit chains: their events and their heads. */
export class AuditStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly eventBus: AuditEventsPublisher,
  ) {}

  /** Appends events to the chain of the scope's organization inside the caller's transaction; see `appendToChains`. */
  append(
    scope: OrganizationScope,
    session: SqlSession,
    afterCommit: AfterCommit,
    entries: readonly AuditEntry[],
    now = new Date(),
  ): Promise<AuditEventRecord[]> {
    return this.appendToChains(scope, session, afterCommit, [{ organizationId: scope.organizationId, entries, occurredAt: now }]);
  }

  /**
   * Appends events to the hash chains of their organizations inside the caller's transaction, in two statements:
   * the first locks the chain heads (`lockChainHeads`), the second inserts the events and moves the heads. The locks
   * last until the commit, so concurrent writers extend a chain one after another; callers append last, just before
   * they commit, to hold them briefly. In an organization scope, every append must be of that organization.
   */
  async appendToChains(
    scope: Scope,
    session: SqlSession,
    afterCommit: AfterCommit,
    appends: readonly AuditAppend[],
  ): Promise<AuditEventRecord[]> {
    const organizationIds = organizationsAppendedTo(scope, appends);
    if (organizationIds.length === 0) return [];
    const chained = this.chain(await this.lockChainHeads(session, organizationIds), appends, afterCommit);
    await session.query(APPEND_EVENTS, chained.values);
    return chained.events;
  }

  /**
   * Locks the chain heads of the organizations until the commit, in id order, so that two writers locking the same
   * organizations cannot deadlock. The locks are `FOR NO KEY UPDATE`: rows inserted earlier in the transaction that
   * reference an organization hold a key-share lock on it, which `FOR UPDATE` would wait on, deadlocking two such
   * transactions.
   */
  async lockChainHeads(session: SqlSession, organizationIds: readonly string[]): Promise<LockedChainHeads> {
    if (organizationIds.length === 0) return new Map();
    const heads = await session.query<{ id: string; sequence: number; hash: string }>(LOCK_CHAIN_HEADS, [[...new Set(organizationIds)]]);
    return new Map(heads.map(({ id, sequence, hash }) => [id, { sequence, hash }]));
  }

  /**
   * `appendToChains` in a pipelined transaction whose caller locked the heads with `lockChainHeads` (of every
   * organization appended to, or more): the events go out with the commit, which answers whether they were stored.
   */
  appendToLockedChains(
    scope: Scope,
    session: PipelinedSession,
    afterCommit: AfterCommit,
    heads: LockedChainHeads,
    appends: readonly AuditAppend[],
  ): AuditEventRecord[] {
    if (organizationsAppendedTo(scope, appends).length === 0) return [];
    const chained = this.chain(heads, appends, afterCommit);
    session.send(APPEND_EVENTS, chained.values);
    return chained.events;
  }

  /** The chained events of `appends` and the values of `APPEND_EVENTS`; their announcement waits for the commit. */
  private chain(
    heads: LockedChainHeads,
    appends: readonly AuditAppend[],
    afterCommit: AfterCommit,
  ): { events: AuditEventRecord[]; values: [string, string] } {
    const entriesByOrganization = new Map<string, TimedEntry[]>();
    for (const { organizationId, entries, occurredAt } of appends) {
      if (entries.length === 0) continue;
      const timed = entriesByOrganization.get(organizationId) ?? [];
      for (const entry of entries) timed.push({ entry, occurredAt });
      entriesByOrganization.set(organizationId, timed);
    }
    const chains = [...entriesByOrganization].map(([organizationId, entries]) => {
      const head = heads.get(organizationId);
      if (!head) throw new Error(`the audit chain head of organization ${organizationId} is not locked (or it does not exist)`);
      return { organizationId, events: chainEvents(organizationId, head, entries) };
    });
    const events = chains.flatMap((chain) => chain.events);
    const movedHeads = chains.map(({ organizationId, events: chained }) => {
      const last = chained.at(-1) as AuditEventRecord;
      return { id: organizationId, sequence: last.sequence, hash: last.hash };
    });
    // One message per organization, its events in chain order.
    afterCommit.add(async () => {
      await Promise.all(
        chains.map(({ organizationId, events: chained }) =>
          this.eventBus.publish('auditEventsAdded', { organizationId, payload: chained }),
        ),
      );
    });
    return { events, values: [JSON.stringify(events), JSON.stringify(movedHeads)] };
  }

  /**
   * Recomputes the hashes of the organization's chain in order, from the first event or from a trusted position
   * (a verified checkpoint), up to the head recorded when it starts: events appended meanwhile are left for the next
   * verification. The head's event must be the last one and carry the recorded head hash.
   */
  async verifyChain(scope: OrganizationScope, from: ChainPosition = GENESIS): Promise<ChainVerdict> {
    const { organizationId } = scope;
    const head = await this.head(scope);
    const fromSequence = from.nextSequence - 1;
    let expected = from;
    let checkedEvents = 0;
    while (expected.nextSequence <= head.sequence) {
      const batch = await this.database.auditEvent.findMany({
        where: { organizationId, sequence: { gte: expected.nextSequence, lte: head.sequence } },
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
    if (lastSequence !== head.sequence) {
      const reason = `the chain ends at ${lastSequence} but the head records ${head.sequence} events`;
      return { valid: false, fromSequence, checkedEvents, brokenAtSequence: lastSequence + 1, reason };
    }
    if (expected.previousHash !== head.hash) {
      return {
        valid: false,
        fromSequence,
        checkedEvents,
        brokenAtSequence: head.sequence,
        reason: 'the newest event does not match the recorded head',
      };
    }
    return { valid: true, fromSequence, checkedEvents, brokenAtSequence: null, reason: null };
  }

  /** Up to `limit` of the organization's events that match `query`, newest first, below the sequence `before` when given. */
  list(scope: OrganizationScope, query: AuditEventQuery, limit: number, before: number | undefined): Promise<AuditEventRecord[]> {
    const where: Prisma.AuditEventWhereInput = {
      organizationId: scope.organizationId,
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.action ? { action: query.action.endsWith('.') ? { startsWith: query.action } : query.action } : {}),
      ...(query.targetName ? { targetName: query.targetName } : {}),
      ...(query.targetType ? { targetType: query.targetType } : {}),
      ...(query.from || query.to
        ? { occurredAt: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } }
        : {}),
      ...(before === undefined ? {} : { sequence: { lt: before } }),
    };
    return this.database.auditEvent.findMany({ where, orderBy: { sequence: 'desc' }, take: limit });
  }

  /** The organization's chain head: the sequence and hash of its newest event (0 and '' before the first). */
  async head(scope: OrganizationScope): Promise<AuditChainHead> {
    const { auditSequence, auditHeadHash } = await this.database.organization.findUniqueOrThrow({
      where: { id: scope.organizationId },
      select: { auditSequence: true, auditHeadHash: true },
    });
    return { sequence: auditSequence, hash: auditHeadHash };
  }

  /** The hash of the organization's event at `sequence`, or null when there is none. */
  async hashAt(scope: OrganizationScope, sequence: number): Promise<string | null> {
    const event = await this.database.auditEvent.findUnique({
      where: { organizationId_sequence: { organizationId: scope.organizationId, sequence } },
      select: { hash: true },
    });
    return event?.hash ?? null;
  }
}

export interface AuditChainHead {
  sequence: number;
  hash: string;
}

/** Chain heads by organization id, locked until the commit by `lockChainHeads`. */
export type LockedChainHeads = ReadonlyMap<string, AuditChainHead>;

/**
 * The organizations `appends` add events to. In an organization scope, every append must be of that organization.
 */
function organizationsAppendedTo(scope: Scope, appends: readonly AuditAppend[]): string[] {
  const foreign = scope.kind === 'organization' ? appends.find((append) => append.organizationId !== scope.organizationId) : undefined;
  if (foreign) throw new Error(`an audit event of organization ${foreign.organizationId} cannot be appended in another's scope`);
  return [...new Set(appends.filter((append) => append.entries.length > 0).map((append) => append.organizationId))];
}

interface TimedEntry {
  entry: AuditEntry;
  occurredAt: Date;
}

/** The events that extend a chain from `head`, each hashed over its content and the hash of the one before. */
function chainEvents(organizationId: string, head: AuditChainHead, entries: readonly TimedEntry[]): AuditEventRecord[] {
  let sequence = head.sequence;
  let previousHash = head.hash;
  return entries.map(({ entry, occurredAt }): AuditEventRecord => {
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
    return { id: uuidV7(occurredAt.getTime()), ...fields, hash };
  });
}
