import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';

@ObjectType('AuditCheckpoint', {
  description:
    "A signed statement that the organization's audit chain had this head. Keep one elsewhere: `flotilla audit verify --checkpoint FILE` then detects any rewrite of the chain up to it.",
})
export class AuditCheckpointModel {
  @Field(() => ID, { description: 'Stable identifier; pass it to `verifyAuditChain(fromCheckpoint:)`.' })
  id!: string;

  @Field({ description: 'The organization whose chain it covers.' })
  organizationId!: string;

  @Field(() => Int, { description: 'Sequence of the newest event when it was signed.' })
  sequence!: number;

  @Field({ description: 'Hash of that event.' })
  headHash!: string;

  @Field(() => DateTimeScalar, { description: 'When it was signed.' })
  signedAt!: Date;

  @Field({ description: "SHA-256 (hex) of the signing key's DER SubjectPublicKeyInfo." })
  keyId!: string;

  @Field({ description: "The signing key's public key, PEM (SPKI)." })
  publicKey!: string;

  @Field({
    description:
      'Ed25519 signature, base64, over the canonical JSON of format `flotilla.audit-checkpoint.v1`, organizationId, sequence, headHash, signedAt and keyId.',
  })
  signature!: string;
}

@ObjectType({ description: 'A page of audit checkpoints, newest first, with the key that signs new ones.' })
export class AuditCheckpointPage {
  @Field(() => [AuditCheckpointModel], { description: 'The checkpoints of this page.' })
  nodes!: AuditCheckpointModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;

  @Field({ description: 'Whether the control plane signs checkpoints (it has an `AUDIT_SIGNING_KEY_FILE`).' })
  signingEnabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Id of the key that signs new checkpoints; null when signing is off.' })
  keyId!: string | null;

  @Field(() => String, { nullable: true, description: 'Public key (PEM) that signs new checkpoints; null when signing is off.' })
  publicKey!: string | null;
}
