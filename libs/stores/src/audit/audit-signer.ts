import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkpointSignatureInput, type CheckpointStatement } from '@flotilla/protocol';
import { ConfigurationError } from '@flotilla/service-runtime';
import { signingKeyId } from './audit-chain.js';

/**
 * Signs audit checkpoints with the Ed25519 key of a mounted file. The private key stays in this object: it is never
 * stored, logged or returned; only the public key and its id leave it.
 */
export class AuditSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.keyId = signingKeyId(privateKey);
    this.publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The signer of `AUDIT_SIGNING_KEY_FILE`, or none when it is not set; an unreadable or wrong key stops the process. */
  static fromFile(path: string | undefined): AuditSigner | undefined {
    if (path === undefined) return undefined;
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(readFileSync(path));
    } catch (error) {
      const cause = error instanceof Error && 'code' in error ? String(error.code) : 'not a PEM private key';
      throw new ConfigurationError([`AUDIT_SIGNING_KEY_FILE ${path} cannot be read as a private key (${cause})`]);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new ConfigurationError([
        `AUDIT_SIGNING_KEY_FILE ${path} holds an ${privateKey.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 one`,
      ]);
    }
    return new AuditSigner(privateKey);
  }

  /** The base64 Ed25519 signature of the statement, which must name this signer's key. */
  sign(statement: CheckpointStatement): string {
    if (statement.keyId !== this.keyId) throw new Error(`a statement for key ${statement.keyId} cannot be signed by key ${this.keyId}`);
    return sign(null, Buffer.from(checkpointSignatureInput(statement)), this.privateKey).toString('base64');
  }
}
