-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "headHash" TEXT NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditSigningKey" (
    "keyId" TEXT NOT NULL,
    "publicKeyPem" TEXT NOT NULL,
    "firstUsedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditSigningKey_pkey" PRIMARY KEY ("keyId")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_organizationId_sequence_key" ON "AuditCheckpoint"("organizationId", "sequence");

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditCheckpoint" ADD CONSTRAINT "AuditCheckpoint_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "AuditSigningKey"("keyId") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Checkpoints and the public keys that signed them are append-only too.
CREATE FUNCTION "refuse_audit_record_change"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditCheckpoint_append_only" BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION "refuse_audit_record_change"();
CREATE TRIGGER "AuditCheckpoint_no_truncate" BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION "refuse_audit_record_change"();
CREATE TRIGGER "AuditSigningKey_append_only" BEFORE UPDATE OR DELETE ON "AuditSigningKey"
  FOR EACH ROW EXECUTE FUNCTION "refuse_audit_record_change"();
CREATE TRIGGER "AuditSigningKey_no_truncate" BEFORE TRUNCATE ON "AuditSigningKey"
  FOR EACH STATEMENT EXECUTE FUNCTION "refuse_audit_record_change"();
