import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewriteAuditHistory } from '../support/audit-tampering.js';
import { writeSigningKeyFile } from '../support/signing-key.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';
import { isolatedDirectory, runCli } from '../support/cli/cli-process.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ AUDIT_SIGNING_KEY_FILE: writeSigningKeyFile() });
});
afterAll(() => api.close());

const cli = (org: TestOrganization, args: string[], token: 'admin' | 'viewer' = 'viewer') =>
  runCli(args, { environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens[token] } });

/** A checkpoint of the organization's head, kept in a file away from the control plane. */
async function keptCheckpoint(org: TestOrganization): Promise<{ file: string; sequence: number }> {
  const printed = await cli(org, ['audit', 'checkpoint', '--new', '-o', 'json'], 'admin');
  expect(printed).toMatchObject({ exitCode: 0, stderr: '' });
  const file = join(isolatedDirectory(), 'checkpoint.json');
  writeFileSync(file, printed.stdout);
  return { file, sequence: (JSON.parse(printed.stdout) as { sequence: number }).sequence };
}

describe('flotilla audit verify', () => {
  it('passes an intact chain with the checkpoint kept, cannot see a consistent rewrite alone, and fails on it with the checkpoint', async () => {
    const org = await api.organization();
    const kept = await keptCheckpoint(org);
    expect(await cli(org, ['audit', 'verify'])).toMatchObject({ exitCode: 0, stdout: '✔ the audit chain is intact: 4 events\n' });
    const intact = await cli(org, ['audit', 'verify', '--checkpoint', kept.file]);
    expect(intact.exitCode).toBe(0);
    expect(intact.stdout).toContain(`✔ it holds the checkpoint at sequence ${kept.sequence}, signed `);

    await rewriteAuditHistory(api.database, org.id, 2, 'nobody was here');
    expect((await cli(org, ['audit', 'verify'])).exitCode).toBe(0);
    const exposed = await cli(org, ['audit', 'verify', '--checkpoint', kept.file]);
    expect(exposed.exitCode).toBe(6);
    expect(exposed.stderr).toMatch(
      new RegExp(
        `^error: the audit chain does not match the checkpoint at sequence ${kept.sequence}: it was rewritten up to there\\n  event ${kept.sequence} has hash [0-9a-f]{64}\\n`,
      ),
    );
  });

  it('names the first event whose hash no longer matches its content', async () => {
    const org = await api.organization();
    await api.database.$transaction([
      api.database.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"'),
      api.database.$executeRawUnsafe(
        'UPDATE "AuditEvent" SET actor = $2 WHERE "organizationId" = $1::uuid AND sequence = 3',
        org.id,
        'token:someone-else',
      ),
      api.database.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"'),
    ]);
    expect(await cli(org, ['audit', 'verify'])).toMatchObject({
      exitCode: 6,
      stderr: 'error: the audit chain is broken at sequence 3: its content does not match its hash\n',
    });
  });

  it('refuses a checkpoint whose signature does not verify, or that is no checkpoint', async () => {
    const org = await api.organization();
    const kept = await keptCheckpoint(org);
    const forged = { ...(JSON.parse(readFileSync(kept.file, 'utf8')) as Record<string, unknown>), headHash: 'f'.repeat(64) };
    writeFileSync(kept.file, JSON.stringify(forged));
    const refused = await cli(org, ['audit', 'verify', '--checkpoint', kept.file]);
    expect(refused.exitCode).toBe(6);
    expect(refused.stderr).toContain(`error: the checkpoint at sequence ${kept.sequence} does not verify with its public key`);
    writeFileSync(kept.file, '{"sequence": 3}');
    expect(await cli(org, ['audit', 'verify', '--checkpoint', kept.file])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('lacks organizationId, headHash, signedAt, keyId, publicKey, signature') as unknown,
    });
  });
});
