import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FreezeWindowSpec } from '../../libs/argo-spec/src/index.js';
import { createDatabaseClient, inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { BreakGlassStore, breakGlassState, type BreakGlassRequest } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';

const SYSTEM = systemScope('test');

let database: DatabaseClient;
let organizations: OrganizationStore;
let freezeWindows: FreezeWindowStore;
let breakGlass: BreakGlassStore;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  const audit = new AuditStore(database, { publish: () => Promise.resolve() });
  organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  freezeWindows = new FreezeWindowStore(database);
  breakGlass = new BreakGlassStore(database);
});
afterAll(() => database.$disconnect());

async function organization(): Promise<OrganizationScope> {
  const created = await organizations.create(SYSTEM, `freeze-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  return organizationScope(created.organization.id);
}

const weekend: FreezeWindowSpec = {
  reason: 'no releases over the weekend',
  schedule: 'DTSTART;TZID=Europe/Berlin:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H',
  policy: 'hold',
  namespaces: ['shop'],
};

describe('FreezeWindowStore', () => {
  it('creates, leaves unchanged, updates with a new generation only when the spec changes, and lists by organization', async () => {
    const scope = await organization();
    const other = await organization();
    const apply = (spec: FreezeWindowSpec, labels: Record<string, string> = {}) =>
      inTransaction(database, (transaction) =>
        freezeWindows.apply(scope, transaction, { name: 'weekend', labels, annotations: {}, spec, appliedBy: 'admin' }),
      );
    expect(await apply(weekend)).toMatchObject({ action: 'Created', record: { name: 'weekend', generation: 1, spec: weekend } });
    expect(await apply(weekend)).toMatchObject({ action: 'Unchanged', record: { generation: 1 } });
    expect(await apply(weekend, { team: 'platform' })).toMatchObject({
      action: 'Updated',
      record: { generation: 1, labels: { team: 'platform' } },
    });
    const changed = { ...weekend, policy: 'finish' as const };
    expect(await apply(changed, { team: 'platform' })).toMatchObject({
      action: 'Updated',
      record: { generation: 2 },
      previousSpec: weekend,
    });

    expect((await freezeWindows.list(scope)).map((record) => [record.name, record.spec])).toEqual([['weekend', changed]]);
    expect(await freezeWindows.find(scope, 'weekend')).toMatchObject({ spec: changed });
    expect(await freezeWindows.ofOrganization(SYSTEM, scope.organizationId)).toHaveLength(1);
    expect(await freezeWindows.list(other)).toEqual([]);
    expect(await freezeWindows.find(other, 'weekend')).toBeNull();
  });
});

describe('BreakGlassStore', () => {
  const NOW = new Date('2026-12-05T10:00:00Z');
  const later = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);
  const request = (scope: OrganizationScope, fields: Partial<BreakGlassRequest> = {}) =>
    inTransaction(database, (transaction) =>
      breakGlass.request(scope, transaction, {
        targetType: 'Rollout',
        targetId: randomUUID(),
        targetName: 'eu/shop/checkout',
        reason: 'hotfix',
        durationSeconds: 3600,
        requestedBy: 'alice',
        effectiveNow: true,
        now: NOW,
        ...fields,
      }),
    );

  it('an override effective at once expires after its duration; activeFor finds it by any of the target ids', async () => {
    const scope = await organization();
    const releaseId = randomUUID();
    const record = await request(scope, { targetType: 'FleetRelease', targetId: releaseId, targetName: 'checkout#3' });
    expect(record).toMatchObject({ requestedAt: NOW, expiresAt: later(3600), confirmedBy: null, revokedAt: null });
    expect(breakGlassState(record, NOW)).toBe('Active');
    expect(await breakGlass.activeFor(scope, [randomUUID(), releaseId], later(3599))).toMatchObject({ id: record.id });
    expect(await breakGlass.activeFor(SYSTEM, [releaseId], later(10))).toMatchObject({ id: record.id });
    expect(await breakGlass.activeFor(scope, [releaseId], later(3600))).toBeNull();
    expect(breakGlassState(record, later(3600))).toBe('Expired');
    expect(await breakGlass.activeFor(await organization(), [releaseId], later(10))).toBeNull();
    expect(await breakGlass.activeFor(scope, [], later(10))).toBeNull();
  });

  it('an override waiting for a second admin is not in effect until confirmed, then lasts its duration from then', async () => {
    const scope = await organization();
    const pending = await request(scope, { effectiveNow: false });
    expect(breakGlassState(pending, NOW)).toBe('PendingConfirmation');
    expect(await breakGlass.activeFor(scope, [pending.targetId], later(1))).toBeNull();

    const confirmed = await inTransaction(database, (transaction) => breakGlass.confirm(scope, transaction, pending.id, 'bob', later(600)));
    expect(confirmed).toMatchObject({ confirmedBy: 'bob', confirmedAt: later(600), expiresAt: later(4200) });
    expect(await breakGlass.activeFor(scope, [pending.targetId], later(4199))).toMatchObject({ id: pending.id });
    // Confirmed once only, and never from another organization.
    expect(
      await inTransaction(database, (transaction) => breakGlass.confirm(scope, transaction, pending.id, 'carol', later(700))),
    ).toBeNull();
    const other = await organization();
    const second = await request(scope, { effectiveNow: false });
    expect(await inTransaction(database, (transaction) => breakGlass.confirm(other, transaction, second.id, 'eve', NOW))).toBeNull();
  });

  it('a revoked override is over at once and cannot be revoked or confirmed again', async () => {
    const scope = await organization();
    const record = await request(scope);
    const revoked = await inTransaction(database, (transaction) => breakGlass.revoke(scope, transaction, record.id, later(60)));
    expect(revoked).toMatchObject({ revokedAt: later(60) });
    expect(breakGlassState(revoked ?? record, later(61))).toBe('Revoked');
    expect(await breakGlass.activeFor(scope, [record.targetId], later(61))).toBeNull();
    expect(await inTransaction(database, (transaction) => breakGlass.revoke(scope, transaction, record.id, later(90)))).toBeNull();
    const pending = await request(scope, { effectiveNow: false });
    await inTransaction(database, (transaction) => breakGlass.revoke(scope, transaction, pending.id, later(1)));
    expect(await inTransaction(database, (transaction) => breakGlass.confirm(scope, transaction, pending.id, 'bob', later(2)))).toBeNull();
  });

  it('lists those in effect first (expiring last first), then the others newest first, page by page', async () => {
    const scope = await organization();
    const oldest = await request(scope, { durationSeconds: 60 });
    const shortActive = await request(scope, { durationSeconds: 7200 });
    const pending = await request(scope, { effectiveNow: false });
    const longActive = await request(scope, { durationSeconds: 86_400 });
    const newestExpired = await request(scope, { durationSeconds: 60 });
    const at = later(120);
    const expected = [longActive, shortActive, newestExpired, pending, oldest].map((record) => record.id);

    expect((await breakGlass.list(scope, { limit: 10, afterId: undefined }, at)).map((record) => record.id)).toEqual(expected);
    const pages: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await breakGlass.list(scope, { limit: 2, afterId }, at);
      pages.push(...page.map((record) => record.id));
      if (page.length < 2) break;
      afterId = page[page.length - 1]?.id;
    }
    expect(pages).toEqual(expected);
    expect(await breakGlass.list(await organization(), { limit: 10, afterId: undefined }, at)).toEqual([]);
  });
});

describe('OrganizationStore settings', () => {
  it('asks no second admin by default, and keeps what an admin sets', async () => {
    const scope = await organization();
    expect(await organizations.settings(scope)).toEqual({ breakGlassNeedsSecondAdmin: false });
    await inTransaction(database, (transaction) => organizations.updateSettings(scope, transaction, { breakGlassNeedsSecondAdmin: true }));
    expect(await organizations.settings(scope)).toEqual({ breakGlassNeedsSecondAdmin: true });
    expect(await organizations.settings(await organization())).toEqual({ breakGlassNeedsSecondAdmin: false });
  });
});
