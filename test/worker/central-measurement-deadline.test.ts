import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { AnalysisRunner } from '../../apps/worker/src/analysis/analysis-runner.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { templateWithStepRun } from '../support/analysis-fixture.js';
import { organizationWithClusters } from '../support/fleet-fixture.js';

/**
 * A measurement the control plane takes itself ends within MEASUREMENT_TIMEOUT_SECONDS whatever its provider does:
 * a Kayenta that never finishes judging must not hold a worker's analysis slot for good.
 */
const PREFIX = `test-central-deadline-${process.pid}`;
const logger = createLogger('test', 'warn');
const TIMEOUT_SECONDS = 1;

const { database, sql, redis, eventBus, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let analysisQueue: AnalysisQueue;
let reconcileQueue: ReconcileQueue;
let kayenta: Server;
let kayentaUrl: string;

beforeAll(async () => {
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  reconcileQueue = new ReconcileQueue(redis, PREFIX);
  // Finds the config, starts the execution, and answers every look at it that it is still running.
  kayenta = createServer((request, response) => {
    const body = request.url?.startsWith('/canaryConfig')
      ? [{ id: 'cfg-1', name: 'checkout-canary', applications: ['checkout'] }]
      : request.method === 'POST'
        ? { canaryExecutionId: 'exec-1' }
        : { complete: false, status: 'running' };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => kayenta.listen(0, '127.0.0.1', resolve));
  kayentaUrl = `http://127.0.0.1:${(kayenta.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const queue of [analysisQueue.queue, analysisQueue.records, reconcileQueue.queue]) await queue.obliterate({ force: true });
  await Promise.allSettled([analysisQueue.close(), reconcileQueue.close()]);
  kayenta.closeAllConnections();
  await new Promise((resolve) => kayenta.close(resolve));
});

/** A run of a template measured from the control plane, whose one metric asks the Kayenta above. */
async function centralKayentaRun(): Promise<string> {
  const { organizationId, clusterIds, rolloutIds } = await organizationWithClusters(
    { database, organizations, clusters },
    'central',
    [{ name: 'east', labels: {} }],
    { rollouts, image: 'shop/checkout:2' },
  );
  const clusterId = clusterIds['east'] as string;
  const rolloutId = rolloutIds['east'] as string;
  await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: new Date() } });
  return templateWithStepRun(
    database,
    { organizationId, clusterId, rolloutId },
    {
      name: 'judge',
      annotations: { 'flotilla.io/measure-from': 'control-plane' },
      metrics: [
        {
          name: 'judge',
          count: 1,
          provider: {
            kayenta: {
              address: kayentaUrl,
              application: 'checkout',
              canaryConfigName: 'checkout-canary',
              metricsAccountName: 'prometheus',
              configurationAccountName: 'gcs',
              storageAccountName: 'gcs',
              threshold: { pass: 90, marginal: 75 },
              scopes: [
                {
                  name: 'default',
                  controlScope: { scope: 'role=stable', step: 60, start: '2026-12-06T09:00:00Z', end: '2026-12-06T09:05:00Z' },
                  experimentScope: { scope: 'role=canary', step: 60, start: '2026-12-06T09:00:00Z', end: '2026-12-06T09:05:00Z' },
                },
              ],
            },
          },
        },
      ],
    },
    'checkout-judge-1',
  );
}

describe('a measurement taken from the control plane', () => {
  it('is recorded as an Error once MEASUREMENT_TIMEOUT_SECONDS have passed, though its Kayenta never finishes judging', async () => {
    const runId = await centralKayentaRun();
    const runner = new AnalysisRunner(new AnalysisRunStore(sql, database), sql, analysisQueue, reconcileQueue, eventBus, logger, {
      measurementTimeoutSeconds: TIMEOUT_SECONDS,
      centralAllowList: ['127.0.0.1/32'],
      centralCredentialsDirectory: undefined,
    });
    await runner.start(runId);

    await runner.measure({ runId, due: [{ metricName: 'judge', index: 0 }] });

    const measurements = await database.measurement.findMany({ where: { analysisRunId: runId } });
    expect(measurements).toEqual([
      expect.objectContaining({
        metricName: 'judge',
        phase: 'Error',
        takenBy: 'control-plane',
        message: expect.stringContaining('aborted') as unknown,
      }),
    ]);
  });
});
