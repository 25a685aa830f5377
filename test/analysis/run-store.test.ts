import type { Metric } from '@flotilla/argo-spec';
import { newMetricResult } from '@flotilla/analysis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Prisma } from '../../apps/api/src/generated/prisma/client.js';
import { SqlPool } from '../../apps/api/src/infrastructure/sql.js';
import type { ResolvedRun } from '../../apps/api/src/modules/analysis-runs/run-resolution.js';
import { storeRunState, type RunState } from '../../apps/api/src/modules/analysis-runs/run-state.js';
import {
  beginIfUnchanged,
  completeIfUnchanged,
  completeMeasurements,
  loadRunSnapshot,
  recordIfUnchanged,
  type MeasurementBatch,
  type MeasurementCompletion,
  type RunAssessmentWrite,
  type RunSnapshot,
} from '../../apps/api/src/modules/analysis-runs/run-store.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;
let sql: SqlPool;
beforeAll(async () => {
  api = await startTestApi();
  sql = new SqlPool(inject('databaseUrl'), 2);
});
afterAll(async () => {
  await sql.end();
  await api.close();
});

const metric = (name: string): Metric => ({ name, interval: '10s', provider: { web: { url: `http://metrics/${name}` } } });
const resolved: ResolvedRun = {
  templates: [],
  spec: { metrics: [metric('a'), metric('b')], args: [], dryRun: [], measurementRetention: [] },
  measuredBy: { a: 'control-plane', b: 'control-plane' },
};
const startedAt = new Date('2026-06-01T00:00:00.000Z');
const state = (label: string): RunState => ({
  results: [{ ...newMetricResult('a'), message: label }, newMetricResult('b')],
  nextAt: { a: startedAt.toISOString(), b: startedAt.toISOString() },
});

async function runningRun(name: string): Promise<string> {
  const org = await api.organization({ cluster: 'staging' });
  const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
  const run = await api.database.analysisRun.create({
    data: {
      organizationId: org.id,
      clusterId: cluster.id,
      namespace: 'shop',
      name,
      kind: 'background',
      phase: 'Running',
      startedAt,
      spec: { analysis: { templates: [] }, stablePodTemplateHash: null, resolved } as unknown as Prisma.InputJsonValue,
      metricResults: storeRunState(state('initial')),
    },
  });
  return run.id;
}

async function snapshotOf(runId: string): Promise<RunSnapshot> {
  const snapshot = await loadRunSnapshot(sql, runId, resolved);
  if (!snapshot) throw new Error(`run ${runId} has no snapshot`);
  return snapshot;
}

const batch = (runId: string, index: number): MeasurementBatch => ({
  runId,
  takenBy: 'control-plane',
  startedAt,
  finishedAt: new Date(startedAt.getTime() + 20),
  measurements: ['a', 'b'].map((metricName) => ({
    metricName,
    index,
    phase: 'Successful',
    value: '1',
    message: null,
    requestId: `${runId}.${metricName}.${index}`,
  })),
});
const assessment = (label: string): RunAssessmentWrite => ({ phase: 'Running', message: '', state: state(label), finishedAt: undefined });

describe('recording measurements without a lock', () => {
  it('stores the batch and the run together when the run is as it was read', async () => {
    const runId = await runningRun('unchanged');
    const snapshot = await loadRunSnapshot(sql, runId, undefined);
    expect(snapshot).toMatchObject({ phase: 'Running', resolved, startedAt });
    expect(snapshot?.state.results[0]?.message).toBe('initial');

    expect(await recordIfUnchanged(sql, await snapshotOf(runId), batch(runId, 0), assessment('after 0'))).toBe(true);
    const measurements = await api.database.measurement.findMany({ where: { analysisRunId: runId }, orderBy: { metricName: 'asc' } });
    expect(
      measurements.map(({ metricName, index, phase, takenBy, finishedAt }) => ({ metricName, index, phase, takenBy, finishedAt })),
    ).toEqual(
      ['a', 'b'].map((metricName) => ({
        metricName,
        index: 0,
        phase: 'Successful',
        takenBy: 'control-plane',
        finishedAt: new Date(startedAt.getTime() + 20),
      })),
    );
    const reread = await snapshotOf(runId);
    expect(reread.state.results[0]?.message).toBe('after 0');
    expect(reread.version).not.toBe(snapshot?.version);
  });

  it('writes nothing when the run changed since it was read', async () => {
    const runId = await runningRun('changed');
    const stale = await snapshotOf(runId);
    await api.database.analysisRun.update({ where: { id: runId }, data: { message: 'written by someone else' } });

    expect(await recordIfUnchanged(sql, stale, batch(runId, 0), assessment('from a stale read'))).toBe(false);
    expect(await api.database.measurement.count({ where: { analysisRunId: runId } })).toBe(0);
    expect((await snapshotOf(runId)).state.results[0]?.message).toBe('initial');
  });

  it('writes nothing when a measurement of the batch is stored already', async () => {
    const runId = await runningRun('repeated');
    await api.database.measurement.create({ data: { analysisRunId: runId, metricName: 'b', index: 0, phase: 'Successful', startedAt } });
    const snapshot = await snapshotOf(runId);

    expect(await recordIfUnchanged(sql, snapshot, batch(runId, 0), assessment('counted twice'))).toBe(false);
    expect(await api.database.measurement.count({ where: { analysisRunId: runId } })).toBe(1);
  });

  it('writes nothing once the run has ended', async () => {
    const runId = await runningRun('ended');
    await api.database.analysisRun.update({ where: { id: runId }, data: { phase: 'Successful', finishedAt: new Date() } });
    const snapshot = await snapshotOf(runId);

    expect(await recordIfUnchanged(sql, snapshot, batch(runId, 0), assessment('after the end'))).toBe(false);
    expect(await api.database.measurement.count({ where: { analysisRunId: runId } })).toBe(0);
  });
});

describe('starting measurements without a lock', () => {
  const inFlight = (runId: string): MeasurementBatch => ({
    runId,
    takenBy: 'agent',
    startedAt,
    finishedAt: null,
    measurements: [{ metricName: 'a', index: 0, phase: 'Running', value: null, message: null, requestId: `${runId}.a.0` }],
  });

  it("stores the in-flight rows and the run's progress together when the run is as it was read", async () => {
    const runId = await runningRun('begun');
    const snapshot = await snapshotOf(runId);
    expect(
      await beginIfUnchanged(sql, snapshot, inFlight(runId), { ...state('in flight'), nextAt: { a: null, b: startedAt.toISOString() } }),
    ).toBe(true);

    const [row] = await api.database.measurement.findMany({ where: { analysisRunId: runId } });
    expect(row).toMatchObject({
      metricName: 'a',
      index: 0,
      phase: 'Running',
      takenBy: 'agent',
      finishedAt: null,
      requestId: `${runId}.a.0`,
    });
    const run = await api.database.analysisRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.phase).toBe('Running');
    expect(run.nextMeasurementAt).toEqual(startedAt);
    expect((await snapshotOf(runId)).state).toMatchObject({ nextAt: { a: null }, results: [{ message: 'in flight' }, {}] });
  });

  it('writes nothing when the run changed since it was read', async () => {
    const runId = await runningRun('begun-late');
    const stale = await snapshotOf(runId);
    await api.database.analysisRun.update({ where: { id: runId }, data: { message: 'written by someone else' } });

    expect(await beginIfUnchanged(sql, stale, inFlight(runId), state('from a stale read'))).toBe(false);
    expect(await api.database.measurement.count({ where: { analysisRunId: runId } })).toBe(0);
  });
});

describe("completing an agent's measurements", () => {
  const answeredAt = new Date(startedAt.getTime() + 35);
  const completion = (metricName: string, phase: 'Successful' | 'Failed' = 'Successful'): MeasurementCompletion => ({
    metricName,
    index: 0,
    phase,
    value: '[1]',
    message: null,
    finishedAt: answeredAt,
  });

  async function inFlightRun(name: string): Promise<string> {
    const runId = await runningRun(name);
    for (const metricName of ['a', 'b'])
      await api.database.measurement.create({
        data: { analysisRunId: runId, metricName, index: 0, phase: 'Running', takenBy: 'agent', startedAt },
      });
    return runId;
  }
  const rowsOf = async (runId: string) =>
    (await api.database.measurement.findMany({ where: { analysisRunId: runId }, orderBy: { metricName: 'asc' } })).map(
      ({ metricName, phase, value, finishedAt }) => ({ metricName, phase, value, finishedAt }),
    );

  it('completes the measurements and writes the run together when the run is as it was read', async () => {
    const runId = await inFlightRun('completed');
    expect(
      await completeIfUnchanged(
        sql,
        await snapshotOf(runId),
        [completion('a'), completion('b', 'Failed')],
        assessment('after the answers'),
      ),
    ).toBe(true);

    expect(await rowsOf(runId)).toEqual([
      { metricName: 'a', phase: 'Successful', value: '[1]', finishedAt: answeredAt },
      { metricName: 'b', phase: 'Failed', value: '[1]', finishedAt: answeredAt },
    ]);
    expect((await snapshotOf(runId)).state.results[0]?.message).toBe('after the answers');
  });

  it('writes nothing when the run changed since it was read', async () => {
    const runId = await inFlightRun('completed-late');
    const stale = await snapshotOf(runId);
    await api.database.analysisRun.update({ where: { id: runId }, data: { message: 'written by someone else' } });

    expect(await completeIfUnchanged(sql, stale, [completion('a'), completion('b')], assessment('from a stale read'))).toBe(false);
    expect((await rowsOf(runId)).map((row) => row.phase)).toEqual(['Running', 'Running']);
    expect((await snapshotOf(runId)).state.results[0]?.message).toBe('initial');
  });

  it('writes nothing when one of the measurements is no longer in flight', async () => {
    const runId = await inFlightRun('answered-twice');
    await api.database.measurement.updateMany({
      where: { analysisRunId: runId, metricName: 'b' },
      data: { phase: 'Error', finishedAt: startedAt },
    });

    expect(await completeIfUnchanged(sql, await snapshotOf(runId), [completion('a'), completion('b')], assessment('counted twice'))).toBe(
      false,
    );
    expect((await rowsOf(runId)).map((row) => row.phase)).toEqual(['Running', 'Error']);
  });

  it('completes, under a lock, only the measurements still in flight and answers when they started', async () => {
    const runId = await inFlightRun('partly-answered');
    await api.database.measurement.updateMany({
      where: { analysisRunId: runId, metricName: 'b' },
      data: { phase: 'Error', finishedAt: startedAt },
    });

    const started = await sql.transaction((session) => completeMeasurements(session, runId, [completion('a'), completion('b')]));
    expect([...started]).toEqual([['a', startedAt]]);
    expect((await rowsOf(runId)).map((row) => row.phase)).toEqual(['Successful', 'Error']);
  });
});
