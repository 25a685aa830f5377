import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { clusterName, fleetLayout, imageOf, type FleetRollout } from '../../tools/src/bench/fleet/fleet-plan.js';
import { FleetSimProcess } from '../../tools/src/bench/fleet/fleet-sim-process.js';
import { applyFleet, registerClusters } from '../../tools/src/bench/fleet/fleet-system.js';

let api: TestApi;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => stopProcess(worker)));
});
afterAll(() => api.close());

function startWorker(): void {
  workers.push(
    startNodeProcess('apps/worker/dist/main.js', {
      ...api.environment,
      SWEEP_INTERVAL_MS: '500',
      JOB_LOCK_MS: '2000',
      WORKER_CONCURRENCY: '4',
      LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'warn',
    }),
  );
}

describe('the fleet simulator of bench:fleet', () => {
  it('connects two virtual clusters over the agent protocol and carries four rollouts and a release to their end', async () => {
    startWorker();
    const org = await api.organization();
    const layout = fleetLayout(2, 4);
    const clusters = await registerClusters([api.url], org.tokens.admin, [clusterName(0), clusterName(1)]);
    const simulator = await FleetSimProcess.start({
      clusters,
      layout: { clusters: 2, rollouts: 4 },
      applyDelayMs: 50,
      observeIntervalMs: 30_000,
    });
    try {
      await applyFleet(api.url, org.tokens.admin, layout);
      const healthy = async (): Promise<number> =>
        (await api.database.rollout.findMany({ where: { organizationId: org.id, phase: 'Healthy' } })).filter(
          (rollout) => rollout.observedGeneration === rollout.generation,
        ).length;
      await eventually(async () => (await healthy()) === 4 || undefined, 20_000, 'the fleet to converge');
      const blueGreen = layout.find((rollout) => rollout.kind === 'blue-green') as FleetRollout;
      await graphqlData(
        api.url,
        org.tokens.deployer,
        'mutation($r: RolloutRef!, $image: String!) { setImage(rollout: $r, container: "app", image: $image) { id } }',
        {
          r: { cluster: blueGreen.cluster, namespace: blueGreen.namespace, name: blueGreen.name },
          image: imageOf(blueGreen.name, 1),
        },
      );
      const released = `${blueGreen.cluster}/${blueGreen.namespace}/${blueGreen.name}@${imageOf(blueGreen.name, 1)}`;
      await eventually(
        async () => (await simulator.report()).imageFirstSeen.some(([key]) => key === released) || undefined,
        10_000,
        'the new image in a desired state',
      );
      await eventually(async () => (await healthy()) === 4 || undefined, 10_000, 'the release to finish');
      const report = await simulator.report();
      expect(report.errors).toEqual([]);
      expect(report.reactions.length).toBeGreaterThan(0);
    } finally {
      await simulator.stop();
    }
  });
});
