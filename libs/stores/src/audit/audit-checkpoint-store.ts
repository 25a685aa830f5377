import type { ChainPosition } from '@flotilla/protocol';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { DatabaseClient } from '../database/database.js';
import { prismaSession, type PreparedStatement } from '../database/sql.js';
import { organizationScope, type OrganizationScope, type SystemScope } from '../scope/scope.js';
import { checkpointSignatureValid, type ChainVerdict } from './audit-chain.js';
import type { AuditSigner } from './audit-signer.js';
import { isRecordId } from '../scope/record-id.js';
import type { AuditStore } from './audit-store.js';

/** A signed checkpoint of an organization's audit chain, with the public key of the key that signed it. */
export interface AuditCheckpointRecord {
  id: string;
  organizationId: string;
  sequence: number;
  headHash: string;
  signedAt: Date;
  keyId: string;
  signature: string;
  publicKeyPem: string;
}

export type CheckpointOutcome = { organizationId: string; checkpoint: AuditCheckpointRecord } | { organizationId: string; error: unknown };

/**
 * The organizations whose chain head moved since their newest checkpoint, signed at `$1` or earlier. Hand-written
 * because the Prisma client cannot express the lateral join on each organization's newest checkpoint; it runs once a
 * sweep, off every hot path.
 */
export const ORGANIZATIONS_DUE_FOR_CHECKPOINT: PreparedStatement = {
  name: 'audit-organizations-due-for-checkpoint',
  text: `SELECT o.id FROM "Organization" o
    LEFT JOIN LATERAL (SELECT c.sequence, c."signedAt" FROM "AuditCheckpoint" c WHERE c."organizationId" = o.id ORDER BY c.sequence DESC LIMIT 1) newest ON true
    WHERE o."auditSequence" > COALESCE(newest.sequence, 0) AND (newest."signedAt" IS NULL OR newest."signedAt" <= $1::timestamp)
    ORDER BY o.id`,
};

const WITH_KEY = { key: { select: { publicKeyPem: true } } } as const;

/**
 * Signed checkpoints of the organizations' audit chains and the public keys that signed them: a checkpoint states,
 * under the Ed25519 key of AUDIT_SIGNING_KEY_FILE, that a chain had a given head. A checkpoint kept elsewhere exposes
 * any later rewrite of the chain up to it, which the unkeyed hashes alone cannot.
 */
export class AuditCheckpointStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly signer: AuditSigner | null,
    private readonly audit: AuditStore,
  ) {}

  get signingKey(): { keyId: string; publicKeyPem: string } | null {
    return this.signer === null ? null : { keyId: this.signer.keyId, publicKeyPem: this.signer.publicKeyPem };
  }

  /**
   * Signs the organization's current chain head, once the chain verifies from the newest checkpoint of this key (from
   * the first event when there is none). Idempotent: a head that is signed already returns its checkpoint, and
   * several signers of the same head store one.
   */
  async create(scope: OrganizationScope, now: Date): Promise<AuditCheckpointRecord> {
    const signer = this.signer;
    if (signer === null)
      throw new FlotillaError(ErrorCode.AuditSigningOff, 'audit checkpoints are off: the control plane has no AUDIT_SIGNING_KEY_FILE');
    const { organizationId } = scope;
    const head = await this.audit.head(scope);
    const signed = await this.atSequence(scope, head.sequence);
    if (signed !== null) return signed;
    const verdict = await this.audit.verifyChain(scope, await this.newestOwnCheckpoint(scope, signer));
    if (!verdict.valid) {
      throw new FlotillaError(
        ErrorCode.AuditChainBroken,
        `the audit chain is broken at sequence ${verdict.brokenAtSequence}: ${verdict.reason}; no checkpoint was signed`,
      );
    }
    const statement = { organizationId, sequence: head.sequence, headHash: head.hash, signedAt: now, keyId: signer.keyId };
    await this.database.auditSigningKey.createMany({
      data: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
      skipDuplicates: true,
    });
    await this.database.auditCheckpoint.createMany({ data: [{ ...statement, signature: signer.sign(statement) }], skipDuplicates: true });
    const stored = await this.atSequence(scope, head.sequence);
    if (stored === null) throw new Error(`the checkpoint of organization ${organizationId} at ${head.sequence} was not stored`);
    return stored;
  }

  /**
   * Signs the head of every organization whose head moved since its newest checkpoint, signed `interval` ago or
   * earlier. Each organization's outcome is reported, so that one broken chain holds up no other.
   */
  async checkpointDue(_scope: SystemScope, now: Date, intervalSeconds: number): Promise<CheckpointOutcome[]> {
    const signedBefore = new Date(now.getTime() - intervalSeconds * 1000);
    const due = await prismaSession(this.database).query<{ id: string }>(ORGANIZATIONS_DUE_FOR_CHECKPOINT, [signedBefore]);
    const outcomes: CheckpointOutcome[] = [];
    for (const { id: organizationId } of due) {
      try {
        outcomes.push({ organizationId, checkpoint: await this.create(organizationScope(organizationId), now) });
      } catch (error) {
        outcomes.push({ organizationId, error });
      }
    }
    return outcomes;
  }

  /** Up to `limit` of the organization's checkpoints, newest first, below the sequence `before` when given. */
  async list(scope: OrganizationScope, limit: number, before: number | undefined): Promise<AuditCheckpointRecord[]> {
    const rows = await this.database.auditCheckpoint.findMany({
      where: { organizationId: scope.organizationId, ...(before === undefined ? {} : { sequence: { lt: before } }) },
      orderBy: { sequence: 'desc' },
      take: limit,
      include: WITH_KEY,
    });
    return rows.map(toRecord);
  }

  /**
   * Verifies the organization's chain, from the first event or after the checkpoint `fromCheckpointId`: that
   * checkpoint's signature must verify with the public key of its key id, and the event at its sequence must carry
   * its head hash.
   */
  async verifyChain(scope: OrganizationScope, fromCheckpointId: string | undefined): Promise<ChainVerdict> {
    if (fromCheckpointId === undefined) return this.audit.verifyChain(scope);
    const row = isRecordId(fromCheckpointId)
      ? await this.database.auditCheckpoint.findFirst({
          where: { id: fromCheckpointId, organizationId: scope.organizationId },
          include: WITH_KEY,
        })
      : null;
    if (row === null) throw new FlotillaError(ErrorCode.AuditCheckpointNotFound, `audit checkpoint ${fromCheckpointId} was not found`);
    const checkpoint = toRecord(row);
    const broken = (reason: string): ChainVerdict => ({
      valid: false,
      fromSequence: checkpoint.sequence,
      checkedEvents: 0,
      brokenAtSequence: checkpoint.sequence,
      reason,
    });
    if (!checkpointSignatureValid(checkpoint, checkpoint.signature, checkpoint.publicKeyPem))
      return broken("the checkpoint's signature does not verify");
    if ((await this.audit.hashAt(scope, checkpoint.sequence)) !== checkpoint.headHash)
      return broken(`event ${checkpoint.sequence} does not carry the checkpoint's head hash`);
    return this.audit.verifyChain(scope, { previousHash: checkpoint.headHash, nextSequence: checkpoint.sequence + 1 });
  }

  private async atSequence(scope: OrganizationScope, sequence: number): Promise<AuditCheckpointRecord | null> {
    const row = await this.database.auditCheckpoint.findUnique({
      where: { organizationId_sequence: { organizationId: scope.organizationId, sequence } },
      include: WITH_KEY,
    });
    return row === null ? null : toRecord(row);
  }

  /** Where the chain is known good: after the newest checkpoint this signer made, if its signature holds. */
  private async newestOwnCheckpoint(scope: OrganizationScope, signer: AuditSigner): Promise<ChainPosition | undefined> {
    const newest = await this.database.auditCheckpoint.findFirst({
      where: { organizationId: scope.organizationId, keyId: signer.keyId },
      orderBy: { sequence: 'desc' },
    });
    if (newest === null || !checkpointSignatureValid(newest, newest.signature, signer.publicKeyPem)) return undefined;
    return { previousHash: newest.headHash, nextSequence: newest.sequence + 1 };
  }
}

interface CheckpointRow extends Omit<AuditCheckpointRecord, 'publicKeyPem'> {
  key: { publicKeyPem: string };
}

const toRecord = ({ id, organizationId, sequence, headHash, signedAt, keyId, signature, key }: CheckpointRow): AuditCheckpointRecord => ({
  id,
  organizationId,
  sequence,
  headHash,
  signedAt,
  keyId,
  signature,
  publicKeyPem: key.publicKeyPem,
});
