import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { toYaml, type Manifest } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({
  cluster: 'staging',
  environment: { NOTIFICATION_KEYS: `2026-12:${randomBytes(32).toString('base64')}` },
});

const APPLY = `mutation($cluster: String, $namespace: String, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { documentIndex kind name namespace action generation }
}`;

const apply = (yaml: string, place: { cluster?: string; namespace?: string } = {}, token = org.tokens.admin) =>
  graphql<{ applyManifests: unknown[] }>(api.url, token, APPLY, { yaml, ...place });

/** The ConfigMap of Argo's notifications documentation (docs/features/notifications.md), as written there. */
const configMap = (template = 'Rollout {{.rollout.metadata.name}} has been completed.'): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'argo-rollouts-notification-configmap' },
  data: {
    'service.slack': 'token: $slack-token\n',
    'template.my-purple-template': `message: |\n  ${template}\n`,
    'trigger.on-purple':
      "- send: [my-purple-template]\n  when: rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'\n",
  },
});

const secret = (token: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'argo-rollouts-notification-secret' },
  stringData: { 'slack-token': token },
});

describe('applyManifests with the notification ConfigMap and Secret', () => {
  it("stores the organization's configuration, and the Secret's audit and row name its keys, never its value", async () => {
    const created = await apply(`${toYaml(configMap())}---\n${toYaml(secret('xoxb-first-token'))}`);
    expect(created.errors).toBeUndefined();
    expect(created.data?.applyManifests).toEqual([
      {
        documentIndex: 0,
        kind: 'ConfigMap',
        name: 'argo-rollouts-notification-configmap',
        namespace: null,
        action: 'Created',
        generation: 1,
      },
      { documentIndex: 1, kind: 'Secret', name: 'argo-rollouts-notification-secret', namespace: null, action: 'Updated', generation: 2 },
    ]);
    expect((await apply(toYaml(secret('xoxb-first-token')))).data?.applyManifests).toMatchObject([{ action: 'Unchanged' }]);
    expect((await apply(toYaml(secret('xoxb-second-token')))).data?.applyManifests).toMatchObject([{ action: 'Updated', generation: 3 }]);

    const audit = await api.database.auditEvent.findMany({
      where: { organizationId: org.id, action: { startsWith: 'notification_' } },
      orderBy: { sequence: 'asc' },
      select: { action: true, after: true },
    });
    expect(audit.map((event) => event.action)).toEqual([
      'notification_configmap.created',
      'notification_secret.updated',
      'notification_secret.updated',
    ]);
    expect(audit[2]?.after).toEqual({ keys: ['slack-token'], added: [], changed: ['slack-token'], removed: [], generation: 3 });
    const stored = JSON.stringify([audit, await api.database.notificationConfig.findMany({ where: { organizationId: org.id } })]);
    expect(stored).not.toContain('xoxb');
  });

  it("applies a namespace's configuration with the cluster and namespace", async () => {
    const applied = await apply(toYaml(configMap('{{.rollout.metadata.name}} in shop')), { cluster: 'staging', namespace: 'shop' });
    expect(applied.data?.applyManifests).toMatchObject([{ kind: 'ConfigMap', namespace: 'shop', action: 'Created' }]);
  });

  it("refuses a deployer the organization's configuration, and a broken template or another name with field paths", async () => {
    expect((await apply(toYaml(configMap()), {}, org.tokens.deployer)).errors?.[0]?.extensions).toMatchObject({ code: 'auth/forbidden' });
    const broken = await apply(toYaml(configMap('{{.rollout.metadata.name')));
    expect(broken.errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [{ documentIndex: 0, path: expect.stringContaining('data[template.my-purple-template]') as unknown }],
    });
    const renamed = await apply(toYaml({ ...secret('xoxb-renamed'), metadata: { name: 'other' } }));
    expect(renamed.errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [
        { documentIndex: 0, path: 'metadata.name', message: expect.stringContaining('argo-rollouts-notification-secret') as unknown },
      ],
    });
    expect(JSON.stringify(renamed)).not.toContain('xoxb');
  });
});
