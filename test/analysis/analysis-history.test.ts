import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;
let sql: SqlPool;
let store: AnalysisRunStore;
const sweep = systemScope('sweep');
beforeAll(async () => {
  api = await startTestApi();
  sql = new SqlPool(inject('databaseUrl'), 1);
  store = new AnalysisRunStore(sql, api.database);
});
afterAll(async () => {
  await sql.end();
  await api.close();
});

describe('analysis history retention', () => {
  it('keeps runs and their measurements until they are older than the retention, and everything at 0', async () => {
    const org = await api.organization({ cluster: 'staging' });
    const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
    const now = new Date('2026-06-01T00:00:00Z');
    const run = (name: string, finishedAt: Date | null) =>
      api.database.analysisRun.create({
        data: {
          organizationId: org.id,
          clusterId: cluster.id,
          namespace: 'shop',
          name,
          kind: 'step',
          spec: {},
          phase: finishedAt ? 'Successful' : 'Running',
          finishedAt,
          measurements: {
            create: [{ metricName: 'rate', index: 0, phase: 'Successful', value: '1', startedAt: new Date('2026-01-01T00:00:00Z') }],
          },
        },
      });
    await run('old', new Date('2026-02-01T00:00:00Z'));
    await run('recent', new Date('2026-05-20T00:00:00Z'));
    await run('running', null);

    expect(await store.pruneHistory(sweep, 0, now)).toBe(0);
    expect(await store.pruneHistory(sweep, 30, now)).toBe(1);
    const left = await api.database.analysisRun.findMany({
      where: { organizationId: org.id },
      select: { name: true },
      orderBy: { name: 'asc' },
    });
    expect(left.map((row) => row.name)).toEqual(['recent', 'running']);
    expect(await api.database.measurement.count({ where: { analysisRun: { organizationId: org.id } } })).toBe(2);
  });
});

describe('run history limits', () => {
  it('limit the runs and experiments a rollout lists, newest first, while every run stays queryable', async () => {
    const org = await api.organization({ cluster: 'staging' });
    const rollout = canaryRollout('ledger', 'shop/ledger:1');
    rollout.spec.analysis = { successfulRunHistoryLimit: 2, unsuccessfulRunHistoryLimit: 1 };
    await graphqlData(
      api.url,
      org.tokens.admin,
      'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
      { yaml: toYaml(rollout) },
    );
    const row = await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name: 'ledger' } });
    const phases = ['Successful', 'Failed', 'Successful', 'Running', 'Inconclusive', 'Successful', 'Error', 'Successful'];
    for (const [position, phase] of phases.entries()) {
      const owned = {
        organizationId: org.id,
        clusterId: row.clusterId,
        rolloutId: row.id,
        namespace: 'shop',
        name: `ledger-${position}`,
        phase,
      };
      await api.database.analysisRun.create({
        data: { ...owned, kind: 'step', spec: { analysis: { templates: [] }, stablePodTemplateHash: null } },
      });
      await api.database.experiment.create({ data: { ...owned, spec: { templates: [] } } });
    }

    const { rollout: listed } = await graphqlData<{ rollout: { analysisRuns: { name: string }[]; experiments: { name: string }[] } }>(
      api.url,
      org.tokens.viewer,
      '{ rollout(cluster: "staging", namespace: "shop", name: "ledger") { analysisRuns { name } experiments { name } } }',
    );
    const newestFirst = ['ledger-7', 'ledger-6', 'ledger-5', 'ledger-3'];
    expect(listed.analysisRuns.map((run) => run.name)).toEqual(newestFirst);
    expect(listed.experiments.map((experiment) => experiment.name)).toEqual(newestFirst);
    const { analysisRuns } = await graphqlData<{ analysisRuns: { nodes: unknown[] } }>(
      api.url,
      org.tokens.viewer,
      '{ analysisRuns(filter: { rollout: "ledger" }) { nodes { name } } }',
    );
    expect(analysisRuns.nodes).toHaveLength(phases.length);
  });
});
