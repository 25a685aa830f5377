import { createHash } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json.js';

/** The fields of an audit event that its hash covers: everything but its own id and hash. */
export interface ChainedAuditFields {
  organizationId: string;
  sequence: number;
  actor: string;
  action: string;
  targetType: string;
  targetName: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  occurredAt: Date;
  previousHash: string;
}

/** SHA-256 over the canonical JSON of the event, which includes the previous event's hash. */
export function auditEventHash(event: ChainedAuditFields): string {
  const covered: Record<keyof ChainedAuditFields, unknown> = {
    organizationId: event.organizationId,
    sequence: event.sequence,
    actor: event.actor,
    action: event.action,
    targetType: event.targetType,
    targetName: event.targetName,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    reason: event.reason,
    requestId: event.requestId,
    occurredAt: event.occurredAt.toISOString(),
    previousHash: event.previousHash,
  };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}

export interface ChainVerdict {
  valid: boolean;
  checkedEvents: number;
  /** The first sequence number whose event does not verify. */
  brokenAtSequence: number | null;
  reason: string | null;
}

/** Checks one batch of consecutive events against the hash of the event before the batch. */
export function verifyChainSegment(
  events: readonly (ChainedAuditFields & { hash: string })[],
  expected: { previousHash: string; nextSequence: number },
): { ok: true } | { ok: false; sequence: number; reason: string } {
  let previousHash = expected.previousHash;
  let sequence = expected.nextSequence;
  for (const event of events) {
    if (event.sequence !== sequence) return { ok: false, sequence, reason: `event ${sequence} is missing` };
    if (event.previousHash !== previousHash) return { ok: false, sequence, reason: 'it does not link to the event before it' };
    if (auditEventHash(event) !== event.hash) return { ok: false, sequence, reason: 'its content does not match its hash' };
    previousHash = event.hash;
    sequence += 1;
  }
  return { ok: true };
}
