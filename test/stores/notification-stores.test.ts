import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { PlannedNotification } from '../../libs/notifications/src/index.js';
import { SecretBox } from '../../libs/service-runtime/src/secret-box.js';
import { createDatabaseClient, inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import { NotificationDeliveryStore, type NotificationSubjectRef } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { NotificationMuteStore } from '../../libs/stores/src/notifications/notification-mute-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';

const SYSTEM = systemScope('test');
const ringOf = (...ids: string[]): string => ids.map((id) => `${id}:${keys.get(id)}`).join('\n');
const keys = new Map(['old', 'new'].map((id) => [id, randomBytes(32).toString('base64')]));

let database: DatabaseClient;
let sql: SqlPool;
let organizations: OrganizationStore;
let deliveries: NotificationDeliveryStore;
let mutes: NotificationMuteStore;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  sql = new SqlPool(inject('databaseUrl'), 2);
  const audit = new AuditStore(database, { publish: () => Promise.resolve() });
  organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  deliveries = new NotificationDeliveryStore(database);
  mutes = new NotificationMuteStore(database);
});
afterAll(() => Promise.all([database.$disconnect(), sql.end()]));

async function organization(): Promise<OrganizationScope> {
  const created = await organizations.create(SYSTEM, `notify-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  return organizationScope(created.organization.id);
}

const planned = (trigger: string, dedupeKey: string, service = 'slack'): PlannedNotification => ({
  trigger,
  service,
  serviceType: service,
  recipient: '#releases',
  dedupeKey,
  notification: { message: `${trigger} happened`, fields: { slack: { attachments: '[]' } } },
});

describe('NotificationConfigStore', () => {
  it('stores the Secret sealed, answers only its keys, tells added, changed and removed keys apart, and delivers with the newest values', async () => {
    const scope = await organization();
    const store = new NotificationConfigStore(database, SecretBox.parse(ringOf('old'), 'test'));
    const apply = (values: Record<string, string>) =>
      inTransaction(database, (transaction) => store.applySecret(scope, transaction, undefined, values, 'admin'));
    expect(await apply({ 'slack-token': 'xoxb-first', 'webhook-secret': 'hmac' })).toMatchObject({
      action: 'Created',
      record: { secretKeys: ['slack-token', 'webhook-secret'] },
      keys: { added: ['slack-token', 'webhook-secret'], changed: [], removed: [] },
    });
    expect((await apply({ 'slack-token': 'xoxb-first', 'webhook-secret': 'hmac' })).action).toBe('Unchanged');
    expect((await store.forDelivery(SYSTEM, scope.organizationId, undefined)).secrets).toEqual({
      organization: { 'slack-token': 'xoxb-first', 'webhook-secret': 'hmac' },
      namespace: {},
    });
    expect(await apply({ 'slack-token': 'xoxb-second', 'pagerduty-key': 'pd' })).toMatchObject({
      action: 'Updated',
      keys: { added: ['pagerduty-key'], changed: ['slack-token'], removed: ['webhook-secret'] },
    });
    const [row] = await database.$queryRaw<{ text: string }[]>`
      SELECT row_to_json(c)::text AS text FROM "NotificationConfig" c WHERE "organizationId" = ${scope.organizationId}::uuid`;
    expect(row?.text).not.toContain('xoxb');
    expect(row?.text).toContain('"secretKeyId":"old"');
    expect((await store.forDelivery(SYSTEM, scope.organizationId, undefined)).secrets.organization).toEqual({
      'slack-token': 'xoxb-second',
      'pagerduty-key': 'pd',
    });
  });

  it('keeps the Secret and the ConfigMap of each place apart', async () => {
    const scope = await organization();
    const store = new NotificationConfigStore(database, SecretBox.parse(ringOf('old'), 'test'));
    const [cluster] = await database.$queryRaw<{ id: string }[]>`
      INSERT INTO "Cluster" (id, "organizationId", name, "agentTokenHash") VALUES (gen_random_uuid(), ${scope.organizationId}::uuid, 'east', ${randomUUID()})
      RETURNING id::text`;
    const placement = { clusterId: cluster!.id, namespace: 'shop' };
    await inTransaction(database, async (transaction) => {
      await store.applySecret(scope, transaction, undefined, { token: 'organization', shared: 'organization' }, 'admin');
      await store.applySecret(scope, transaction, placement, { token: 'shop' }, 'admin');
      await store.applyConfigMap(scope, transaction, undefined, { 'service.slack': 'token: $token' }, 'admin');
      await store.applyConfigMap(scope, transaction, placement, { 'template.x': 'message: hi' }, 'admin');
    });
    const { configs, secrets } = await store.forDelivery(SYSTEM, scope.organizationId, placement);
    expect(secrets).toEqual({ organization: { token: 'organization', shared: 'organization' }, namespace: { token: 'shop' } });
    expect(configs).toEqual(await store.inEffect(scope.organizationId, placement));
    // As the worker reads it: on the SQL pool.
    const onThePool = new NotificationConfigStore(database, SecretBox.parse(ringOf('old'), 'test'), sql);
    expect(await onThePool.forDelivery(SYSTEM, scope.organizationId, placement)).toEqual({ configs, secrets });
    expect((await onThePool.forDelivery(SYSTEM, scope.organizationId, undefined)).configs.namespace).toBeUndefined();
    const inEffect = await store.inEffect(scope.organizationId, placement);
    expect(inEffect.organization?.configData).toEqual({ 'service.slack': 'token: $token' });
    expect(inEffect.namespace).toMatchObject({ configData: { 'template.x': 'message: hi' }, secretKeys: ['token'], namespace: 'shop' });
    const unchanged = await inTransaction(database, (transaction) =>
      store.applyConfigMap(scope, transaction, placement, { 'template.x': 'message: hi' }, 'admin'),
    );
    expect(unchanged.action).toBe('Unchanged');
  });

  it('rotates the key: resealed under the new key, readable once the old one left the ring', async () => {
    const scope = await organization();
    const before = new NotificationConfigStore(database, SecretBox.parse(ringOf('old'), 'test'));
    await inTransaction(database, (transaction) => before.applySecret(scope, transaction, undefined, { token: 'kept' }, 'admin'));
    const during = new NotificationConfigStore(database, SecretBox.parse(ringOf('new', 'old'), 'test'));
    expect((await during.forDelivery(SYSTEM, scope.organizationId, undefined)).secrets.organization).toEqual({ token: 'kept' });
    // A Secret sealed under a key the ring no longer holds (another organization's, say) holds up nobody's rotation.
    const lost = await organization();
    const lostStore = new NotificationConfigStore(database, SecretBox.parse(`lost:${randomBytes(32).toString('base64')}`, 'test'));
    await inTransaction(database, (transaction) => lostStore.applySecret(lost, transaction, undefined, { token: 'unreadable' }, 'admin'));
    onTestFinished(() => database.notificationConfig.deleteMany({ where: { organizationId: lost.organizationId } }).then(() => undefined));
    while ((await during.reseal(SYSTEM, 50)) > 0);
    const after = new NotificationConfigStore(database, SecretBox.parse(ringOf('new'), 'test'));
    expect((await after.forDelivery(SYSTEM, scope.organizationId, undefined)).secrets.organization).toEqual({ token: 'kept' });
    await expect(before.forDelivery(SYSTEM, scope.organizationId, undefined)).rejects.toThrow('sealed with key "new"');
  });

  it('refuses a Secret without a key ring', async () => {
    const scope = await organization();
    const store = new NotificationConfigStore(database, undefined);
    await expect(
      inTransaction(database, (transaction) => store.applySecret(scope, transaction, undefined, { token: 'x' }, 'admin')),
    ).rejects.toThrow(/no notification key ring/);
  });
});

describe('NotificationDeliveryStore', () => {
  const now = new Date('2026-12-05T10:00:00Z');

  async function record(scope: OrganizationScope, subject: NotificationSubjectRef, notifications: PlannedNotification[], perMinute = 100) {
    const inEffect = await mutes.inEffect(scope.organizationId, now);
    return inTransaction(database, (transaction) =>
      deliveries.record(scope, transaction, {
        organizationId: scope.organizationId,
        subject,
        notifications,
        mutes: inEffect,
        bound: { perMinute },
        now,
      }),
    );
  }

  it('stores each dedupe key once, claims a row for one attempt at a time, and lists by filter', async () => {
    const scope = await organization();
    const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'east/shop/cart', placement: undefined };
    const first = await record(scope, subject, [planned('on-rollout-updated', 'a'), planned('on-rollout-completed', 'b')]);
    expect(first).toHaveLength(2);
    expect(await record(scope, subject, [planned('on-rollout-updated', 'a')])).toEqual([]);
    const [updated] = first;
    const claimed = await deliveries.claim(SYSTEM, updated!.id, now, 30_000);
    expect(claimed).toMatchObject({ attempts: 1, state: 'Pending', notification: { message: 'on-rollout-updated happened' } });
    expect(await deliveries.claim(SYSTEM, updated!.id, now, 30_000)).toBeNull();
    expect((await deliveries.due(SYSTEM, now, 1000)).map((row) => row.id)).not.toContain(updated!.id);
    expect(await deliveries.markRetry(SYSTEM, claimed!, 'HTTP 500', new Date(now.getTime() + 1000))).toBe(true);
    expect(await deliveries.claim(SYSTEM, updated!.id, now, 30_000)).toBeNull();
    const again = await deliveries.claim(SYSTEM, updated!.id, new Date(now.getTime() + 1000), 30_000);
    expect(again).toMatchObject({ attempts: 2 });
    expect(await deliveries.markDelivered(SYSTEM, again!, now)).toBe(true);
    const page = { limit: 10, afterId: undefined };
    expect(await deliveries.list(scope, { state: 'Delivered' }, page)).toMatchObject([{ trigger: 'on-rollout-updated', attempts: 2 }]);
    expect(await deliveries.list(scope, { trigger: 'on-rollout-completed', subjectId: subject.id }, page)).toHaveLength(1);
    expect(await deliveries.list(await organization(), {}, page)).toEqual([]);
  });

  it('records an outcome only under the claim in force: an attempt that outlived its claim records nothing', async () => {
    const scope = await organization();
    const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'east/shop/cart', placement: undefined };
    const [row] = await record(scope, subject, [planned('on-rollout-updated', 'a')]);
    const stale = await deliveries.claim(SYSTEM, row!.id, now, 1000);
    const current = await deliveries.claim(SYSTEM, row!.id, new Date(now.getTime() + 1000), 30_000);
    expect(current).toMatchObject({ attempts: 2 });
    expect(current!.claimToken).not.toBe(stale!.claimToken);
    expect(await deliveries.markFailed(SYSTEM, stale!, 'webhook hooks answered 404')).toBe(false);
    expect(await deliveries.markRetry(SYSTEM, stale!, 'timed out', now)).toBe(false);
    expect(await deliveries.markDelivered(SYSTEM, current!, now)).toBe(true);
    expect(await deliveries.markDelivered(SYSTEM, current!, now)).toBe(false);
    const [stored] = await deliveries.list(scope, {}, { limit: 1, afterId: undefined });
    expect(stored).toMatchObject({ state: 'Delivered', attempts: 2, lastError: null });
  });

  it('keeps muted notifications as Muted and those past the organization bound as Failed', async () => {
    const scope = await organization();
    const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'east/shop/cart', placement: undefined };
    await inTransaction(database, (transaction) =>
      mutes.create(scope, transaction, {
        subject,
        trigger: 'on-rollout-updated',
        service: undefined,
        reason: 'noisy',
        until: new Date(now.getTime() + 60_000),
        createdBy: 'admin',
      }),
    );
    const toSend = await record(
      scope,
      subject,
      [planned('on-rollout-updated', 'muted'), planned('on-rollout-paused', 'one'), planned('on-rollout-paused', 'two')],
      1,
    );
    expect(toSend.map((row) => row.dedupeKey)).toEqual(['one']);
    const states = (await deliveries.list(scope, {}, { limit: 10, afterId: undefined })).map((row) => [row.dedupeKey, row.state]);
    expect(states).toEqual(
      expect.arrayContaining([
        ['muted', 'Muted'],
        ['one', 'Pending'],
        ['two', 'Failed'],
      ]),
    );
  });

  it('remembers and forgets history keys of a subject', async () => {
    const scope = await organization();
    const subjectId = randomUUID();
    await inTransaction(database, (transaction) =>
      deliveries.updateHistory(transaction, scope.organizationId, subjectId, { remember: ['a', 'b'], forget: [] }),
    );
    await inTransaction(database, (transaction) =>
      deliveries.updateHistory(transaction, scope.organizationId, subjectId, { remember: ['b', 'c'], forget: ['a'] }),
    );
    expect([...(await deliveries.history(scope.organizationId, subjectId))].sort()).toEqual(['b', 'c']);
  });
});
