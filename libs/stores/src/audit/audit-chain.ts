import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { auditEventHashInput, checkpointSignatureInput, type ChainedAuditFields, type CheckpointStatement } from '@flotilla/protocol';

/** SHA-256 (hex) over the event's canonical form, which includes the previous event's hash. */
export const auditEventHash = (event: ChainedAuditFields): string => createHash('sha256').update(auditEventHashInput(event)).digest('hex');

/** A key's id: SHA-256 (hex) of its DER SubjectPublicKeyInfo, the same for its private and its public half. */
export const signingKeyId = (key: KeyObject): string =>
  createHash('sha256')
    .update((key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' }))
    .digest('hex');

/** Whether `signature` (base64) is the Ed25519 signature of the statement by the key of `publicKeyPem`. */
export function checkpointSignatureValid(statement: CheckpointStatement, signature: string, publicKeyPem: string): boolean {
  try {
    const publicKey = createPublicKey(publicKeyPem);
    return (
      signingKeyId(publicKey) === statement.keyId &&
      verify(null, Buffer.from(checkpointSignatureInput(statement)), publicKey, Buffer.from(signature, 'base64'))
    );
  } catch {
    return false;
  }
}

export interface ChainVerdict {
  valid: boolean;
  /** Sequence of the checkpoint the verification started after; 0 when it started from the first event. */
  fromSequence: number;
  checkedEvents: number;
  /** The first sequence number whose event does not verify. */
  brokenAtSequence: number | null;
  reason: string | null;
}
