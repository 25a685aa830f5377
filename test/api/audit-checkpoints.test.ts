import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCheckpoint } from '../../apps/cli/src/api/queries.js';
import { checkpointSignatureValid } from '../../libs/stores/src/audit/audit-chain.js';
import { AuditSigner } from '../../libs/stores/src/audit/audit-signer.js';
import { rewriteAuditHistory } from '../support/audit-tampering.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { writeSigningKeyFile } from '../support/signing-key.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  api = await startTestApi({ AUDIT_SIGNING_KEY_FILE: writeSigningKeyFile() });
});
afterAll(async () => {
  if (worker) await stopProcess(worker);
  await api.close();
});

interface CheckpointPage {
  auditCheckpoints: { nodes: AuditCheckpoint[]; signingEnabled: boolean; keyId: string | null; publicKey: string | null };
}
interface Verdict {
  verifyAuditChain: { valid: boolean; fromSequence: number; checkedEvents: number; brokenAtSequence: number | null; reason: string | null };
}

const CHECKPOINT = 'id organizationId sequence headHash signedAt keyId publicKey signature';
const CHECKPOINTS = `{ auditCheckpoints { nodes { ${CHECKPOINT} } signingEnabled keyId publicKey } }`;
const CREATE = `mutation { createAuditCheckpoint { ${CHECKPOINT} } }`;
const VERIFY = 'query($from: ID) { verifyAuditChain(fromCheckpoint: $from) { valid fromSequence checkedEvents brokenAtSequence reason } }';
const newToken = (api: TestApi, org: TestOrganization, name: string) =>
  graphqlData(api.url, org.tokens.admin, 'mutation($name: String!) { createApiToken(name: $name, role: viewer) { secret } }', { name });
const headOf = async (org: TestOrganization) =>
  (await api.database.organization.findUniqueOrThrow({ where: { id: org.id } })).auditSequence;
const signedCorrectly = (checkpoint: AuditCheckpoint) =>
  checkpointSignatureValid({ ...checkpoint, signedAt: new Date(checkpoint.signedAt) }, checkpoint.signature, checkpoint.publicKey);

describe('signed checkpoints of the audit chain', () => {
  it('are signed by the worker at intervals once the head moved', async () => {
    const org = await api.organization();
    worker = startNodeProcess('apps/worker/dist/main.js', {
      ...api.environment,
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
      SWEEP_INTERVAL_MS: '200',
    });
    const first = await eventually(
      async () => (await graphqlData<CheckpointPage>(api.url, org.tokens.viewer, CHECKPOINTS)).auditCheckpoints.nodes[0],
      20_000,
      'a first checkpoint',
    );
    expect(first.sequence).toBe(await headOf(org));
    await newToken(api, org, 'moves-the-head');
    const page = await eventually(
      async () => {
        const checkpoints = (await graphqlData<CheckpointPage>(api.url, org.tokens.viewer, CHECKPOINTS)).auditCheckpoints;
        return checkpoints.nodes[0]?.sequence === first.sequence + 1 && checkpoints;
      },
      15_000,
      'a checkpoint of the moved head',
    );
    expect(page.nodes.map((checkpoint) => checkpoint.sequence)).toEqual([first.sequence + 1, first.sequence]);
    expect(page).toMatchObject({ signingEnabled: true, keyId: first.keyId, publicKey: first.publicKey });
    expect(page.nodes.every(signedCorrectly)).toBe(true);
    await stopProcess(worker);
  });

  it('are signed on demand by an admin, once per head however many ask at once, and refused to viewers', async () => {
    const org = await api.organization();
    const signed = (await graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(api.url, org.tokens.admin, CREATE)).createAuditCheckpoint;
    expect(signed).toMatchObject({ organizationId: org.id, sequence: await headOf(org) });
    expect(signedCorrectly(signed)).toBe(true);
    await newToken(api, org, 'moves-the-head');
    const together = await Promise.all(
      Array.from({ length: 4 }, () => graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(api.url, org.tokens.admin, CREATE)),
    );
    expect(new Set(together.map((result) => result.createAuditCheckpoint.id)).size).toBe(1);
    expect(together[0]?.createAuditCheckpoint.sequence).toBe(signed.sequence + 1);
    expect(
      (await graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(api.url, org.tokens.admin, CREATE)).createAuditCheckpoint.id,
    ).toBe(together[0]?.createAuditCheckpoint.id);
    expect((await graphql(api.url, org.tokens.viewer, CREATE)).errors?.[0]?.extensions?.code).toBe('auth/forbidden');
    const other = await api.organization();
    expect((await graphqlData<CheckpointPage>(api.url, other.tokens.viewer, CHECKPOINTS)).auditCheckpoints.nodes).toEqual([]);
    for (const from of [signed.id, 'not-a-checkpoint'])
      expect((await graphql(api.url, other.tokens.viewer, VERIFY, { from })).errors?.[0]?.extensions?.code).toBe(
        'audit/checkpoint_not_found',
      );
  });

  it('let verifyAuditChain start after a checkpoint, and expose a consistent rewrite that a check from the first event cannot', async () => {
    const org = await api.organization();
    const signed = (await graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(api.url, org.tokens.admin, CREATE)).createAuditCheckpoint;
    await newToken(api, org, 'after-the-checkpoint');
    await newToken(api, org, 'and-another');
    const fromCheckpoint = (await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY, { from: signed.id })).verifyAuditChain;
    expect(fromCheckpoint).toEqual({ valid: true, fromSequence: signed.sequence, checkedEvents: 2, brokenAtSequence: null, reason: null });

    await rewriteAuditHistory(api.database, org.id, 2, 'nobody was here');
    expect((await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY)).verifyAuditChain).toMatchObject({
      valid: true,
      fromSequence: 0,
    });
    const exposed = (await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY, { from: signed.id })).verifyAuditChain;
    expect(exposed).toMatchObject({
      valid: false,
      brokenAtSequence: signed.sequence,
      reason: `event ${signed.sequence} does not carry the checkpoint's head hash`,
    });
    expect((await graphql(api.url, org.tokens.admin, CREATE)).errors?.[0]).toMatchObject({ extensions: { code: 'audit/chain_broken' } });
  });

  it('stay verifiable with their own public key after the signing key is replaced', async () => {
    const org = await api.organization();
    const old = (await graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(api.url, org.tokens.admin, CREATE)).createAuditCheckpoint;
    const rotated = await startTestApi({ ...api.environment, AUDIT_SIGNING_KEY_FILE: writeSigningKeyFile() });
    try {
      await newToken(rotated, org, 'after-rotation');
      const fresh = (await graphqlData<{ createAuditCheckpoint: AuditCheckpoint }>(rotated.url, org.tokens.admin, CREATE))
        .createAuditCheckpoint;
      expect(fresh.keyId).not.toBe(old.keyId);
      const page = (await graphqlData<CheckpointPage>(rotated.url, org.tokens.viewer, CHECKPOINTS)).auditCheckpoints;
      expect(page.nodes).toEqual([fresh, old]);
      expect(page).toMatchObject({ keyId: fresh.keyId, publicKey: fresh.publicKey });
      const paged =
        'query($after: String) { auditCheckpoints(page: { first: 1, after: $after }) { nodes { id } pageInfo { endCursor hasNextPage } } }';
      type Paged = { auditCheckpoints: { nodes: { id: string }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } };
      const newest = (await graphqlData<Paged>(rotated.url, org.tokens.viewer, paged)).auditCheckpoints;
      expect(newest).toMatchObject({ nodes: [{ id: fresh.id }], pageInfo: { hasNextPage: true } });
      const older = (await graphqlData<Paged>(rotated.url, org.tokens.viewer, paged, { after: newest.pageInfo.endCursor }))
        .auditCheckpoints;
      expect(older).toMatchObject({ nodes: [{ id: old.id }], pageInfo: { hasNextPage: false } });
      expect((await graphqlData<Verdict>(rotated.url, org.tokens.viewer, VERIFY, { from: old.id })).verifyAuditChain).toMatchObject({
        valid: true,
        fromSequence: old.sequence,
        checkedEvents: 1,
      });
    } finally {
      await rotated.close();
    }
  });

  it('need an Ed25519 key: another key or an unreadable file stops the process at start', () => {
    expect(() => AuditSigner.fromFile(writeSigningKeyFile('rsa'))).toThrow(/holds an rsa key, not an Ed25519 one/);
    expect(() => AuditSigner.fromFile('/nonexistent/audit-key.pem')).toThrow(/cannot be read as a private key \(ENOENT\)/);
  });
});
