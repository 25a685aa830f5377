import { describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { toYaml, type Manifest } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const APPLY = `mutation($cluster: String, $namespace: String, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { documentIndex kind name namespace action generation }
}`;

const apply = (yaml: string, token = org.tokens.admin) => graphql<{ applyManifests: unknown[] }>(api.url, token, APPLY, { yaml });

function freezeWindow(policy: 'finish' | 'hold'): Manifest {
  return {
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FreezeWindow',
    metadata: { name: 'weekend' },
    spec: {
      reason: 'no releases over the weekend',
      schedule: 'DTSTART;TZID=Europe/Berlin:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H\n',
      policy,
      clusterSelector: { matchLabels: { env: 'prod' } },
    },
  };
}

describe('applyManifests with FreezeWindows', () => {
  it('an admin stores one in the organization, Unchanged then Updated, audited', async () => {
    const created = await apply(toYaml(freezeWindow('finish')));
    expect(created.errors).toBeUndefined();
    expect(created.data?.applyManifests).toEqual([
      { documentIndex: 0, kind: 'FreezeWindow', name: 'weekend', namespace: null, action: 'Created', generation: 1 },
    ]);
    expect((await apply(toYaml(freezeWindow('finish')))).data?.applyManifests).toMatchObject([{ action: 'Unchanged', generation: 1 }]);
    expect((await apply(toYaml(freezeWindow('hold')))).data?.applyManifests).toMatchObject([{ action: 'Updated', generation: 2 }]);

    const audit = await api.database.auditEvent.findMany({
      where: { organizationId: org.id, action: { startsWith: 'freeze_window.' } },
      orderBy: { sequence: 'asc' },
      select: { action: true, targetName: true, targetType: true, before: true, after: true },
    });
    expect(audit.map(({ action, targetType }) => [action, targetType])).toEqual([
      ['freeze_window.created', 'FreezeWindow'],
      ['freeze_window.updated', 'FreezeWindow'],
    ]);
    expect(audit[1]?.before).toMatchObject({ spec: { policy: 'finish' } });
    expect(audit[1]?.after).toMatchObject({ spec: { policy: 'hold' }, generation: 2 });
  });

  it('refuses a deployer, and an invalid schedule with its field path', async () => {
    const forbidden = await apply(toYaml(freezeWindow('finish')), org.tokens.deployer);
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'auth/forbidden' });
    const invalid = freezeWindow('finish');
    (invalid.spec as { schedule: string }).schedule = 'DTSTART:20261204T160000\nDURATION:PT1H';
    expect((await apply(toYaml(invalid))).errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [{ documentIndex: 0, path: 'spec.schedule', message: expect.stringContaining('TZID') as unknown }],
    });
  });
});
