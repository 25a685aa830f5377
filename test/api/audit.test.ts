import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const VERIFY = '{ verifyAuditChain { valid checkedEvents brokenAtSequence reason } }';
type Verdict = { verifyAuditChain: { valid: boolean; checkedEvents: number; brokenAtSequence: number | null; reason: string | null } };

async function organizationWithHistory(): Promise<TestOrganization> {
  const org = await api.organization({ cluster: 'staging' });
  const apply = 'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }';
  await graphqlData(api.url, org.tokens.deployer, apply, { yaml: toYaml(canaryRollout('checkout')) });
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation { promote(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }, reason: "looks good") { id } }',
  );
  return org;
}

/** Tampering, as someone with direct database access would: around the append-only trigger. */
async function tamper(sql: string, ...values: unknown[]): Promise<void> {
  await api.database.$transaction([
    api.database.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"'),
    api.database.$executeRawUnsafe(sql, ...values),
    api.database.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"'),
  ]);
}

describe('the audit hash chain', () => {
  it('records every mutation with actor, target, reason and request id, and verifies', async () => {
    const org = await organizationWithHistory();
    const events = await graphqlData<{ auditEvents: { nodes: Record<string, unknown>[] } }>(
      api.url,
      org.tokens.viewer,
      '{ auditEvents { nodes { sequence actor action targetType targetName reason requestId previousHash hash } } }',
    );
    const actions = events.auditEvents.nodes.map((event) => event.action);
    expect(actions).toEqual([
      'rollout.promote',
      'rollout.created',
      'cluster.registered',
      'token.created',
      'token.created',
      'token.created',
      'organization.created',
    ]);
    expect(events.auditEvents.nodes[0]).toMatchObject({
      actor: 'token:deployer',
      targetType: 'Rollout',
      targetName: 'staging/shop/checkout',
      reason: 'looks good',
      requestId: expect.any(String) as unknown,
    });
    const [newest, older] = events.auditEvents.nodes;
    expect(newest?.previousHash).toBe(older?.hash);
    expect((await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY)).verifyAuditChain).toEqual({
      valid: true,
      checkedEvents: 7,
      brokenAtSequence: null,
      reason: null,
    });
  });

  it('is append-only: the database refuses updates and deletes', async () => {
    const org = await organizationWithHistory();
    await expect(
      api.database.auditEvent.updateMany({ where: { organizationId: org.id }, data: { actor: 'someone-else' } }),
    ).rejects.toThrow(/append-only/);
    await expect(api.database.auditEvent.deleteMany({ where: { organizationId: org.id } })).rejects.toThrow(/append-only/);
  });

  it('is append-only: the database refuses to truncate it, directly or through a cascade', async () => {
    const org = await organizationWithHistory();
    await expect(api.database.$executeRawUnsafe('TRUNCATE "AuditEvent"')).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    await expect(api.database.$executeRawUnsafe('TRUNCATE "Organization" CASCADE')).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    expect(await api.database.auditEvent.count({ where: { organizationId: org.id } })).toBe(7);
  });

  it.each([
    [
      'an altered reason',
      'UPDATE "AuditEvent" SET reason = $2 WHERE "organizationId" = $1::uuid AND sequence = 7',
      'it looked fine',
      7,
      'its content does not match its hash',
    ],
    [
      'an altered actor',
      'UPDATE "AuditEvent" SET actor = $2 WHERE "organizationId" = $1::uuid AND sequence = 3',
      'token:someone-else',
      3,
      'its content does not match its hash',
    ],
    ['a removed event', 'DELETE FROM "AuditEvent" WHERE "organizationId" = $1::uuid AND sequence = $2', 4, 4, 'event 4 is missing'],
    [
      'a recomputed hash that no longer links',
      'UPDATE "AuditEvent" SET "previousHash" = $2 WHERE "organizationId" = $1::uuid AND sequence = 5',
      'f'.repeat(64),
      5,
      'does not link',
    ],
  ])('fails after %s', async (_title, sql, value, brokenAt, reason) => {
    const org = await organizationWithHistory();
    await tamper(sql, org.id, value);
    const verdict = (await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY)).verifyAuditChain;
    expect(verdict).toMatchObject({ valid: false, brokenAtSequence: brokenAt });
    expect(verdict.reason).toContain(reason);
  });

  it('fails when the newest events are cut off', async () => {
    const org = await organizationWithHistory();
    await tamper('DELETE FROM "AuditEvent" WHERE "organizationId" = $1::uuid AND sequence = 7', org.id);
    expect((await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY)).verifyAuditChain).toMatchObject({
      valid: false,
      checkedEvents: 6,
    });
  });

  it('has no checkpoints while the control plane has no signing key', async () => {
    const org = await organizationWithHistory();
    const created = await graphql(api.url, org.tokens.admin, 'mutation { createAuditCheckpoint { id } }');
    expect(created.errors?.[0]?.extensions?.code).toBe('audit/signing_off');
    const listed = await graphqlData<{ auditCheckpoints: unknown }>(
      api.url,
      org.tokens.viewer,
      '{ auditCheckpoints { nodes { id } signingEnabled keyId publicKey } }',
    );
    expect(listed.auditCheckpoints).toEqual({ nodes: [], signingEnabled: false, keyId: null, publicKey: null });
  });

  it('stays one unbroken chain under concurrent writers', async () => {
    const org = await organizationWithHistory();
    const writes = Array.from({ length: 24 }, (_, index) =>
      graphql(
        api.url,
        org.tokens.deployer,
        'mutation($reason: String) { pause(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }, reason: $reason) { id } }',
        { reason: `writer ${index}` },
      ),
    );
    const responses = await Promise.all(writes);
    expect(responses.every((response) => response.errors === undefined)).toBe(true);
    const verdict = (await graphqlData<Verdict>(api.url, org.tokens.viewer, VERIFY)).verifyAuditChain;
    expect(verdict).toEqual({ valid: true, checkedEvents: 7 + 24, brokenAtSequence: null, reason: null });
  });

  it('filters by actor, action prefix, target and time', async () => {
    const org = await organizationWithHistory();
    const query = `query($filter: AuditEventFilter) { auditEvents(filter: $filter) { nodes { action actor } } }`;
    const byActor = await graphqlData<{ auditEvents: { nodes: { action: string }[] } }>(api.url, org.tokens.viewer, query, {
      filter: { actor: 'token:deployer' },
    });
    expect(byActor.auditEvents.nodes.map((event) => event.action)).toEqual(['rollout.promote', 'rollout.created']);
    const byPrefix = await graphqlData<{ auditEvents: { nodes: { action: string }[] } }>(api.url, org.tokens.viewer, query, {
      filter: { action: 'token.' },
    });
    expect(byPrefix.auditEvents.nodes).toHaveLength(3);
    const byTarget = await graphqlData<{ auditEvents: { nodes: unknown[] } }>(api.url, org.tokens.viewer, query, {
      filter: { targetName: 'staging/shop/checkout', targetType: 'Rollout' },
    });
    expect(byTarget.auditEvents.nodes).toHaveLength(2);
    const future = await graphqlData<{ auditEvents: { nodes: unknown[] } }>(api.url, org.tokens.viewer, query, {
      filter: { from: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(future.auditEvents.nodes).toEqual([]);
    const past = await graphqlData<{ auditEvents: { nodes: unknown[] } }>(api.url, org.tokens.viewer, query, {
      filter: { to: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(past.auditEvents.nodes).toHaveLength(7);
  });
});
