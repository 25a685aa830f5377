import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  auditEventHashInput,
  checkpointSignatureInput,
  verifyChainSegment,
  type ChainedAuditFields,
  type SegmentVerdict,
} from '@flotilla/protocol';
import type { AuditCheckpoint, ChainedAuditEventRow } from '../api/queries.js';

// The digest and signature primitives over the canonical forms of @flotilla/protocol, as the control plane uses them.
const auditEventHash = (event: ChainedAuditFields): string => createHash('sha256').update(auditEventHashInput(event)).digest('hex');

/** Whether the checkpoint's signature verifies with its own public key, whose id it must carry. */
export function checkpointSignatureValid(checkpoint: AuditCheckpoint): boolean {
  try {
    const publicKey = createPublicKey(checkpoint.publicKey);
    const keyId = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    const statement = { ...checkpoint, signedAt: new Date(checkpoint.signedAt) };
    return (
      keyId === checkpoint.keyId &&
      verify(null, Buffer.from(checkpointSignatureInput(statement)), publicKey, Buffer.from(checkpoint.signature, 'base64'))
    );
  } catch {
    return false;
  }
}

/** Recomputes every hash of a whole chain, its events in sequence order from the first. */
export function verifyWholeChain(events: readonly ChainedAuditEventRow[]): SegmentVerdict {
  const chained = events.map((event) => ({ ...event, occurredAt: new Date(event.occurredAt) }));
  return verifyChainSegment(chained, { previousHash: '', nextSequence: 1 }, auditEventHash);
}
