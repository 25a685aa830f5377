import type { ChainPosition } from '@flotilla/protocol';
import type { AuditCheckpoint } from '../generated/prisma/client.js';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { DatabaseClient } from '../database/database.js';
import { checkpointSignatureValid, type ChainVerdict } from './audit-chain.js';
import type { AuditSigner } from './audit-signer.js';
import { AuditService } from './audit.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A checkpoint with the public key of the key that signed it. */
export type PublishedCheckpoint = AuditCheckpoint & { publicKeyPem: string };

export type CheckpointOutcome = { organizationId: string; checkpoint: PublishedCheckpoint } | { organizationId: string; error: unknown };

/**
 * Signed checkpoints of the organizations' audit chains: a checkpoint states, under the Ed25519 key of
 * AUDIT_SIGNING_KEY_FILE, that a chain had a given head. A checkpoint kept elsewhere exposes any later rewrite of
 * the chain up to it, which the unkeyed hashes alone cannot.
 */
export class AuditCheckpointsService {
  constructor(
    private readonly database: DatabaseClient,
    private readonly signer: AuditSigner | null,
    private readonly audit: AuditService,
  ) {}

  get signingKey(): { keyId: string; publicKeyPem: string } | null {
    return this.signer === null ? null : { keyId: this.signer.keyId, publicKeyPem: this.signer.publicKeyPem };
  }

  /**
   * Signs the organization's current chain head, once the chain verifies from the newest checkpoint of this key (from
   * the first event when there is none). Idempotent: a head that is signed already returns its checkpoint, and
   * several signers of the same head store one.
   */
  async create(organizationId: string, now: Date): Promise<PublishedCheckpoint> {
    const signer = this.signer;
    if (signer === null)
      throw new FlotillaError(ErrorCode.AuditSigningOff, 'audit checkpoints are off: the control plane has no AUDIT_SIGNING_KEY_FILE');
    const head = await this.database.organization.findUniqueOrThrow({
      where: { id: organizationId },
      select: { auditSequence: true, auditHeadHash: true },
    });
    const signed = await this.database.auditCheckpoint.findUnique({
      where: { organizationId_sequence: { organizationId, sequence: head.auditSequence } },
      include: { key: true },
    });
    if (signed !== null) return published(signed);
    const verdict = await this.audit.verifyChain(organizationId, await this.newestOwnCheckpoint(organizationId, signer));
    if (!verdict.valid) {
      throw new FlotillaError(
        ErrorCode.AuditChainBroken,
        `the audit chain is broken at sequence ${verdict.brokenAtSequence}: ${verdict.reason}; no checkpoint was signed`,
      );
    }
    const statement = { organizationId, sequence: head.auditSequence, headHash: head.auditHeadHash, signedAt: now, keyId: signer.keyId };
    await this.database.auditSigningKey.createMany({
      data: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
      skipDuplicates: true,
    });
    await this.database.auditCheckpoint.createMany({ data: [{ ...statement, signature: signer.sign(statement) }], skipDuplicates: true });
    const stored = await this.database.auditCheckpoint.findUniqueOrThrow({
      where: { organizationId_sequence: { organizationId, sequence: head.auditSequence } },
      include: { key: true },
    });
    return published(stored);
  }

  /**
   * Signs the head of every organization whose head moved since its newest checkpoint, signed `interval` ago or
   * earlier. Each organization's outcome is reported, so that one broken chain holds up no other.
   */
  async checkpointDue(now: Date, intervalSeconds: number): Promise<CheckpointOutcome[]> {
    const signedBefore = new Date(now.getTime() - intervalSeconds * 1000);
    const due = await this.database.$queryRaw<{ id: string }[]>`
      SELECT o.id FROM "Organization" o
      LEFT JOIN LATERAL (SELECT c.sequence, c."signedAt" FROM "AuditCheckpoint" c WHERE c."organizationId" = o.id ORDER BY c.sequence DESC LIMIT 1) newest ON true
      WHERE o."auditSequence" > COALESCE(newest.sequence, 0) AND (newest."signedAt" IS NULL OR newest."signedAt" <= ${signedBefore})
      ORDER BY o.id`;
    const outcomes: CheckpointOutcome[] = [];
    for (const { id: organizationId } of due) {
      try {
        outcomes.push({ organizationId, checkpoint: await this.create(organizationId, now) });
      } catch (error) {
        outcomes.push({ organizationId, error });
      }
    }
    return outcomes;
  }

  /** Up to `limit` of the organization's checkpoints, newest first, below the sequence `before` when given. */
  async list(organizationId: string, limit: number, before: number | undefined): Promise<PublishedCheckpoint[]> {
    const rows = await this.database.auditCheckpoint.findMany({
      where: { organizationId, ...(before === undefined ? {} : { sequence: { lt: before } }) },
      orderBy: { sequence: 'desc' },
      take: limit,
      include: { key: true },
    });
    return rows.map(published);
  }

  /**
   * Verifies the organization's chain, from the first event or after the checkpoint `fromCheckpointId`: that
   * checkpoint's signature must verify with the public key of its key id, and the event at its sequence must carry
   * its head hash.
   */
  async verifyChain(organizationId: string, fromCheckpointId: string | undefined): Promise<ChainVerdict> {
    if (fromCheckpointId === undefined) return this.audit.verifyChain(organizationId);
    const checkpoint = UUID.test(fromCheckpointId)
      ? await this.database.auditCheckpoint.findFirst({ where: { id: fromCheckpointId, organizationId }, include: { key: true } })
      : null;
    if (checkpoint === null)
      throw new FlotillaError(ErrorCode.AuditCheckpointNotFound, `audit checkpoint ${fromCheckpointId} was not found`);
    const broken = (reason: string): ChainVerdict => ({
      valid: false,
      fromSequence: checkpoint.sequence,
      checkedEvents: 0,
      brokenAtSequence: checkpoint.sequence,
      reason,
    });
    if (!checkpointSignatureValid(checkpoint, checkpoint.signature, checkpoint.key.publicKeyPem))
      return broken("the checkpoint's signature does not verify");
    const event = await this.database.auditEvent.findUnique({
      where: { organizationId_sequence: { organizationId, sequence: checkpoint.sequence } },
      select: { hash: true },
    });
    if (event?.hash !== checkpoint.headHash) return broken(`event ${checkpoint.sequence} does not carry the checkpoint's head hash`);
    return this.audit.verifyChain(organizationId, { previousHash: checkpoint.headHash, nextSequence: checkpoint.sequence + 1 });
  }

  /** Where the chain is known good: after the newest checkpoint this signer made, if its signature holds. */
  private async newestOwnCheckpoint(organizationId: string, signer: AuditSigner): Promise<ChainPosition | undefined> {
    const newest = await this.database.auditCheckpoint.findFirst({
      where: { organizationId, keyId: signer.keyId },
      orderBy: { sequence: 'desc' },
    });
    if (newest === null || !checkpointSignatureValid(newest, newest.signature, signer.publicKeyPem)) return undefined;
    return { previousHash: newest.headHash, nextSequence: newest.sequence + 1 };
  }
}

const published = ({ key, ...checkpoint }: AuditCheckpoint & { key: { publicKeyPem: string } }): PublishedCheckpoint => ({
  ...checkpoint,
  publicKeyPem: key.publicKeyPem,
});
