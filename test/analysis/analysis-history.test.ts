import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
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
