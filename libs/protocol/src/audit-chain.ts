import { canonicalJson } from './canonical-json.js';

/**
 * The audit chain's contract with whoever verifies it: the control plane, the CLI, or anyone holding the events and a
 * checkpoint. What is hashed and what is signed are fixed here; the digest and the signature primitives (SHA-256,
 * Ed25519) come from the platform, so that this stays free of any runtime's modules.
 */

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

export type ChainedAuditEvent = ChainedAuditFields & { hash: string };

/**
 * The text whose SHA-256 (hex) is the event's hash: the canonical JSON of the covered fields, the time in ISO 8601.
 * @example auditEventHashInput({ organizationId: 'o', sequence: 1, …, occurredAt: new Date(0), previousHash: '' })
 * // => '{"action":…,"occurredAt":"1970-01-01T00:00:00.000Z","organizationId":"o","previousHash":"",…}'
 */
export function auditEventHashInput(event: ChainedAuditFields): string {
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
  return canonicalJson(covered);
}

/** Where a segment of the chain must start: the hash of the event before it and its own first sequence. */
export interface ChainPosition {
  previousHash: string;
  nextSequence: number;
}

export type SegmentVerdict = { ok: true } | { ok: false; sequence: number; reason: string };

/**
 * Checks consecutive events against the position before them: each must have the next sequence, link to the hash
 * before it and match its own hash, which `hashOf` recomputes (SHA-256 hex of `auditEventHashInput`).
 * @example verifyChainSegment([first, second], { previousHash: '', nextSequence: 1 }, hashOf)
 * // => { ok: true }, or { ok: false, sequence: 2, reason: 'its content does not match its hash' }
 */
export function verifyChainSegment(
  events: readonly ChainedAuditEvent[],
  expected: ChainPosition,
  hashOf: (event: ChainedAuditFields) => string,
): SegmentVerdict {
  let previousHash = expected.previousHash;
  let sequence = expected.nextSequence;
  for (const event of events) {
    if (event.sequence !== sequence) return { ok: false, sequence, reason: `event ${sequence} is missing` };
    if (event.previousHash !== previousHash) return { ok: false, sequence, reason: 'it does not link to the event before it' };
    if (hashOf(event) !== event.hash) return { ok: false, sequence, reason: 'its content does not match its hash' };
    previousHash = event.hash;
    sequence += 1;
  }
  return { ok: true };
}

/** What a checkpoint's signature covers: one organization's chain head, when, and by which key. */
export interface CheckpointStatement {
  organizationId: string;
  sequence: number;
  headHash: string;
  signedAt: Date;
  /** SHA-256 (hex) of the signing key's DER SubjectPublicKeyInfo. */
  keyId: string;
}

export const CHECKPOINT_STATEMENT_FORMAT = 'flotilla.audit-checkpoint.v1';

/**
 * The text an Ed25519 key signs for a checkpoint: canonical JSON of the statement with its format, so that no
 * other signed text of the same key can pass for a checkpoint.
 * @example checkpointSignatureInput({ organizationId: 'o', sequence: 7, headHash: 'ab…', signedAt: new Date(0), keyId: '3f…' })
 * // => '{"format":"flotilla.audit-checkpoint.v1","headHash":"ab…","keyId":"3f…","organizationId":"o","sequence":7,"signedAt":"1970-01-01T00:00:00.000Z"}'
 */
export function checkpointSignatureInput(statement: CheckpointStatement): string {
  return canonicalJson({
    format: CHECKPOINT_STATEMENT_FORMAT,
    organizationId: statement.organizationId,
    sequence: statement.sequence,
    headHash: statement.headHash,
    signedAt: statement.signedAt.toISOString(),
    keyId: statement.keyId,
  });
}
