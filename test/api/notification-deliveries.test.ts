import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import { NotificationDeliveryStore } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { organizationScope } from '../../libs/stores/src/scope/scope.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile();

const DELIVERIES = `query($filter: NotificationDeliveryFilterInput) {
  notificationDeliveries(filter: $filter) { nodes { subject trigger service serviceType recipient message state attempts lastError } }
}`;

const MUTE = `mutation($input: NotificationMuteInput!) { muteNotifications(input: $input) { id trigger service reason until revokedAt } }`;

describe('notificationDeliveries and mutes', () => {
  it('lists the deliveries of the organization, filtered by trigger, service and state', async () => {
    const deliveries = new NotificationDeliveryStore(api.database);
    const scope = organizationScope(org.id);
    const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'staging/shop/cart', placement: undefined };
    const planned = (trigger: string, service: string) => ({
      trigger,
      service,
      serviceType: service,
      recipient: '#releases',
      dedupeKey: `${trigger}/${service}`,
      notification: { message: `${trigger} via ${service}`, fields: {} },
    });
    await inTransaction(api.database, (transaction) =>
      deliveries.record(scope, transaction, {
        organizationId: org.id,
        subject,
        notifications: [
          planned('on-rollout-completed', 'slack'),
          planned('on-rollout-aborted', 'slack'),
          planned('on-rollout-aborted', 'teams'),
        ],
        mutes: [],
        bound: { perMinute: 100 },
        now: new Date(),
      }),
    );
    const list = async (filter: Record<string, unknown>) =>
      (await graphqlData<{ notificationDeliveries: { nodes: { message: string }[] } }>(api.url, org.tokens.viewer, DELIVERIES, { filter }))
        .notificationDeliveries.nodes;
    expect(await list({})).toHaveLength(3);
    expect((await list({ trigger: 'on-rollout-aborted', service: 'teams' })).map((node) => node.message)).toEqual([
      'on-rollout-aborted via teams',
    ]);
    expect(await list({ state: 'Pending', service: 'slack' })).toMatchObject([
      { subject: 'staging/shop/cart', state: 'Pending', attempts: 0, lastError: null },
      { subject: 'staging/shop/cart', state: 'Pending', attempts: 0, lastError: null },
    ]);
    expect(await list({ rollout: { cluster: 'staging', namespace: 'shop', name: 'absent' } })).toEqual([]);
  });

  it('mutes a trigger for a time and ends it early, audited; refuses a mute naming nothing, or a viewer', async () => {
    const muted = await graphqlData<{ muteNotifications: { id: string; trigger: string; until: string } }>(
      api.url,
      org.tokens.deployer,
      MUTE,
      {
        input: { trigger: 'on-rollout-updated', durationSeconds: 3600, reason: 'noisy during the migration' },
      },
    );
    expect(muted.muteNotifications).toMatchObject({ trigger: 'on-rollout-updated' });
    const active = await graphqlData<{ notificationMutes: { id: string }[] }>(api.url, org.tokens.viewer, '{ notificationMutes { id } }');
    expect(active.notificationMutes).toEqual([{ id: muted.muteNotifications.id }]);
    const ended = await graphqlData<{ unmuteNotifications: { revokedAt: string | null } }>(
      api.url,
      org.tokens.deployer,
      'mutation($id: ID!) { unmuteNotifications(id: $id) { revokedAt } }',
      { id: muted.muteNotifications.id },
    );
    expect(ended.unmuteNotifications.revokedAt).not.toBeNull();
    const audit = await api.database.auditEvent.findMany({
      where: { organizationId: org.id, action: { startsWith: 'notification.' } },
      orderBy: { sequence: 'asc' },
    });
    expect(audit.map((event) => event.action)).toEqual(['notification.muted', 'notification.unmuted']);

    const nothing = await graphql(api.url, org.tokens.deployer, MUTE, { input: { durationSeconds: 3600, reason: 'x' } });
    expect(nothing.errors?.[0]?.extensions).toMatchObject({ code: 'input/invalid', problems: [{ path: 'input' }] });
    const tooLong = await graphql(api.url, org.tokens.deployer, MUTE, { input: { trigger: 'x', durationSeconds: 10, reason: 'x' } });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ problems: [{ path: 'input.durationSeconds' }] });
    const viewer = await graphql(api.url, org.tokens.viewer, MUTE, { input: { trigger: 'x', durationSeconds: 3600, reason: 'x' } });
    expect(viewer.errors?.[0]?.extensions).toMatchObject({ code: 'auth/forbidden' });
  });
});
