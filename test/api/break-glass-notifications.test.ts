import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NotificationQueue } from '../../libs/queues/src/notification-queue.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { prismaSession } from '../../libs/stores/src/database/sql.js';
import { BreakGlassStore } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { breakGlassChange } from '../../libs/stores/src/notifications/break-glass-notifications.js';
import { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import { recordNotifications } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { organizationScope } from '../../libs/stores/src/scope/scope.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { toYaml } from '../support/manifests.js';
import { testNotificationDecider } from '../support/notification-decider.js';
import { notifyingOrganization } from '../support/notifying-organization.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile();
const redis = new Redis(inject('redisUrl'));
const notificationQueue = new NotificationQueue(redis, api.environment.REDIS_PREFIX!);
const decider = testNotificationDecider(api.database, new NotificationConfigStore(api.database, undefined), createLogger('test', 'warn'));
afterAll(async () => {
  await notificationQueue.close();
  await redis.quit();
});

const HOUR_MS = 3_600_000;
const APPLY = 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { action } }';
const OVERRIDE = 'id requestedBy confirmedBy expiresAt state';
const BREAK_GLASS = `mutation($target: BreakGlassTarget!, $reason: String!, $durationSeconds: Int!) {
  breakGlass(target: $target, reason: $reason, durationSeconds: $durationSeconds) { ${OVERRIDE} }
}`;
const CONFIRM = `mutation($id: ID!) { confirmBreakGlass(id: $id) { ${OVERRIDE} } }`;
const SETTINGS = 'mutation($on: Boolean!) { updateOrganizationSettings(breakGlassNeedsSecondAdmin: $on) { breakGlassNeedsSecondAdmin } }';

interface Override {
  id: string;
  requestedBy: string;
  confirmedBy: string | null;
  expiresAt: string | null;
  state: string;
}

const SUBSCRIBED = {
  'notifications.argoproj.io/subscribe.on-freeze-break-glass.hooks': '',
  'notifications.argoproj.io/subscribe.on-freeze-break-glass-requested.hooks': '',
};

/** A freeze of the `shop` namespace of the clusters labelled `env`, from an hour ago to two hours from now. */
const freezeWindowYaml = (name: string, env: string, annotations: Record<string, string>): string =>
  toYaml({
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FreezeWindow',
    metadata: { name, annotations },
    spec: {
      reason: `${name} freeze`,
      start: new Date(Date.now() - HOUR_MS).toISOString(),
      end: new Date(Date.now() + 2 * HOUR_MS).toISOString(),
      clusterSelector: { matchLabels: { env } },
      namespaces: ['shop'],
    },
  });

const breakGlass = (cluster: string, token = org.tokens.admin, durationSeconds = 3600) =>
  graphql<{ breakGlass: Override }>(api.url, token, BREAK_GLASS, {
    target: { rollout: { cluster, namespace: 'shop', name: 'checkout' } },
    reason: 'checkout crash fix',
    durationSeconds,
  });

/** The organization's stored deliveries as `[trigger, subject kind, FreezeWindow, message]`, oldest first. */
const deliveries = async (): Promise<string[][]> =>
  (
    await api.database.notificationDelivery.findMany({
      where: { organizationId: org.id },
      select: { trigger: true, subjectKind: true, subjectName: true, notification: true },
      orderBy: { id: 'asc' },
    })
  ).map(({ trigger, subjectKind, subjectName, notification }) => [
    trigger,
    subjectKind,
    subjectName,
    (notification as { message: string }).message,
  ]);

const effectiveMessage = (override: Override, confirmed: string): string =>
  `Freeze window launch is broken for Rollout prod/shop/checkout until ${override.expiresAt}: break-glass by ` +
  `${override.requestedBy}${confirmed}. Reason: checkout crash fix`;

beforeAll(async () => {
  await notifyingOrganization(api.url, org.tokens, ['checkout']);
  await graphqlData(api.url, org.tokens.admin, APPLY, { yaml: freezeWindowYaml('launch', 'prod', SUBSCRIBED) });
  await graphqlData(api.url, org.tokens.admin, APPLY, { yaml: freezeWindowYaml('quiet', 'staging', {}) });
});

describe('notifications of break-glass overrides', () => {
  it('a break-glass of a subscribed window stores one delivery with the default template, queued after the commit', async () => {
    const response = await breakGlass('prod');
    expect(response.errors).toBeUndefined();
    const override = response.data!.breakGlass;
    expect(override.state).toBe('Active');
    expect(await deliveries()).toEqual([['on-freeze-break-glass', 'FreezeWindow', 'launch', effectiveMessage(override, '')]]);
    const [stored] = await api.database.notificationDelivery.findMany({ where: { organizationId: org.id }, select: { id: true } });
    const jobs = await notificationQueue.queue.getJobs(['waiting', 'delayed']);
    expect(jobs.map((job) => job.data.deliveryId)).toContain(stored!.id);

    // The same change decided again, as a retried request would: its dedupe keys are stored already.
    const scope = organizationScope(org.id);
    const freezeWindow = (await new FreezeWindowStore(api.database).find(scope, 'launch'))!;
    const record = (await new BreakGlassStore(api.database).find(scope, override.id))!;
    const again = await decider.decide(breakGlassChange({ freezeWindow, override: record, now: new Date() }));
    expect(again?.decision.notifications).toHaveLength(1);
    await api.database.$transaction((transaction) => recordNotifications(prismaSession(transaction), again!));
    expect(await deliveries()).toEqual([['on-freeze-break-glass', 'FreezeWindow', 'launch', effectiveMessage(override, '')]]);
  });

  it('a break-glass of a window that subscribes nothing stores none', async () => {
    const before = await deliveries();
    expect((await breakGlass('staging')).errors).toBeUndefined();
    expect(await deliveries()).toEqual(before);
  });

  it('a refused break-glass stores none', async () => {
    const before = await deliveries();
    expect((await breakGlass('prod', org.tokens.admin, 5)).errors?.[0]?.extensions?.code).toBe('input/invalid');
    expect((await breakGlass('prod', org.tokens.deployer)).errors?.[0]?.extensions?.code).toBe('auth/forbidden');
    expect(await deliveries()).toEqual(before);
  });

  it('a two-admin override notifies its request, then its effect once confirmed, each once', async () => {
    await graphqlData(api.url, org.tokens.admin, SETTINGS, { on: true });
    const before = await deliveries();
    const requested = (await breakGlass('prod')).data!.breakGlass;
    expect(requested.state).toBe('PendingConfirmation');
    const requestedMessage =
      `${requested.requestedBy} asks to break freeze window launch for Rollout prod/shop/checkout for 3600s; ` +
      'another admin must confirm it. Reason: checkout crash fix';
    expect(await deliveries()).toEqual([...before, ['on-freeze-break-glass-requested', 'FreezeWindow', 'launch', requestedMessage]]);

    const secondAdmin = (
      await graphqlData<{ createApiToken: { secret: string } }>(
        api.url,
        org.tokens.admin,
        'mutation { createApiToken(name: "second-admin", role: admin) { secret } }',
      )
    ).createApiToken.secret;
    const confirmed = (await graphqlData<{ confirmBreakGlass: Override }>(api.url, secondAdmin, CONFIRM, { id: requested.id }))
      .confirmBreakGlass;
    const afterConfirm = [
      ...before,
      ['on-freeze-break-glass-requested', 'FreezeWindow', 'launch', requestedMessage],
      ['on-freeze-break-glass', 'FreezeWindow', 'launch', effectiveMessage(confirmed, ', confirmed by token:second-admin')],
    ];
    expect(await deliveries()).toEqual(afterConfirm);

    const again = await graphql(api.url, secondAdmin, CONFIRM, { id: requested.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('breakglass/confirmation_refused');
    expect(await deliveries()).toEqual(afterConfirm);
  });
});
