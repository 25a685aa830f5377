import type { DatabaseClient } from '../../libs/stores/src/database/database.js';
import { auditEventHash } from '../../libs/stores/src/audit/audit-chain.js';

/**
 * Rewrites the reason of one audit event as someone with direct database access would, around the append-only
 * trigger, and recomputes the hashes of it, of every later event and of the head so that the chain stays consistent:
 * only a checkpoint signed before can tell.
 */
export async function rewriteAuditHistory(
  database: DatabaseClient,
  organizationId: string,
  sequence: number,
  reason: string,
): Promise<void> {
  const events = await database.auditEvent.findMany({
    where: { organizationId, sequence: { gte: sequence } },
    orderBy: { sequence: 'asc' },
  });
  let previousHash = events[0]?.previousHash ?? '';
  const rewritten = events.map((event, index) => {
    const fields = { ...event, reason: index === 0 ? reason : event.reason, previousHash };
    previousHash = auditEventHash(fields);
    return { id: event.id, reason: fields.reason, previousHash: fields.previousHash, hash: previousHash };
  });
  await database.$transaction([
    database.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"'),
    ...rewritten.map((event) =>
      database.$executeRawUnsafe(
        'UPDATE "AuditEvent" SET reason = $2, "previousHash" = $3, hash = $4 WHERE id = $1::uuid',
        event.id,
        event.reason,
        event.previousHash,
        event.hash,
      ),
    ),
    database.$executeRawUnsafe('UPDATE "Organization" SET "auditHeadHash" = $2 WHERE id = $1::uuid', organizationId, previousHash),
    database.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"'),
  ]);
}
