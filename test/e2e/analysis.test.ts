import { createServer, type Server } from 'node:http';
import { EXPERIMENT_LABEL, POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { eventually } from '../support/processes.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import { histogramCounts, samplesOf, scrapeCheckedMetrics } from '../support/prometheus-text.js';
import type { SimulatedObject } from '../support/simulator-client.js';

/**
 * Analysis through the real agent: the worker schedules measurements, the API sends them to the agent process,
 * which reads the token from a Secret in the simulated cluster and queries a metric endpoint served here.
 */
let system: E2eSystem;
let metrics: Server;
let metricsUrl = '';
const API_TOKEN = 's3cr3t-analysis-token';
/** The success rate each service reports, and the Authorization headers the endpoint received. */
const successRates = new Map<string, number>();
const authorizations: string[] = [];

beforeAll(async () => {
  metrics = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://metrics');
    authorizations.push(request.headers.authorization ?? '');
    if (request.headers.authorization !== `Bearer ${API_TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    const service = url.searchParams.get('service') ?? '';
    const rate = successRates.get(service) ?? 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ service, successRate: rate, errorRate: Number((1 - rate).toFixed(4)) }));
  });
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`;
  system = await E2eSystem.start();
});
afterAll(async () => {
  await system?.stop();
  await new Promise<void>((resolve) => metrics.close(() => resolve()));
});

function webTemplate(name: string, field: string, conditions: Record<string, string | number>): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: {
      args: [{ name: 'service-name' }, { name: 'api-token', valueFrom: { secretKeyRef: { name: 'metrics-token', key: 'token' } } }],
      metrics: [
        {
          name,
          interval: '5s',
          count: 2,
          ...conditions,
          provider: {
            web: {
              url: `${metricsUrl}/rate?service={{args.service-name}}`,
              headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }],
              jsonPath: `{$.${field}}`,
            },
          },
        },
      ],
    },
  };
}

const successRate = () => webTemplate('success-rate', 'successRate', { successCondition: 'result >= 0.95' });
const errorRate = () => webTemplate('error-rate', 'errorRate', { failureCondition: 'result > 0.05' });
const latency = () =>
  webTemplate('latency', 'successRate', { successCondition: 'result >= 0.95', failureCondition: 'result < 0.5', count: 1 });

const tokenSecret = (): SimulatedObject =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'metrics-token' },
    type: 'Opaque',
    data: { token: Buffer.from(API_TOKEN).toString('base64') },
  }) as unknown as SimulatedObject;

/** A rollout released once, with the Secret and templates its analysis needs in its namespace. */
async function released(prefix: string, rollout: Manifest & { metadata: { name: string } }, templates: Manifest[]): Promise<E2eNamespace> {
  const space = await E2eNamespace.create(system, 'staging', prefix);
  await space.seed(tokenSecret());
  await space.applyManifests(toYaml(...templates, rollout));
  await space.waitForPhase(rollout.metadata.name, 'Healthy');
  return space;
}

const args = (service: string) => [{ name: 'service-name', value: service }];

async function runsOf(space: E2eNamespace) {
  return system.database.analysisRun.findMany({
    where: { namespace: space.namespace },
    include: { measurements: true },
    orderBy: { id: 'asc' },
  });
}

/** The experiment a rollout started (it starts one), once it exists. */
async function experimentOf(space: E2eNamespace, rollout: string): Promise<{ id: string; name: string }> {
  const find = () => system.database.experiment.findFirst({ where: { namespace: space.namespace }, select: { id: true, name: true } });
  await space.waitFor(rollout, 'to start an experiment', async () => (await find()) !== null, 60_000);
  const found = await find();
  if (found === null) throw new Error(`${rollout} started no experiment`);
  return found;
}

async function experimentReplicaSets(space: E2eNamespace, experiment: string) {
  const items = await space.kube.list<unknown, { readyReplicas?: number }>('ReplicaSet', space.namespace);
  return items
    .filter((item) => item.metadata.labels?.[EXPERIMENT_LABEL] === experiment)
    .map((item) => ({
      name: item.metadata.name,
      hash: item.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
      readyReplicas: item.status?.readyReplicas ?? 0,
    }));
}

/** An Experiment of two templates (images 1 and 2) with a Service for the candidate, analysed by `analysis`. */
function standaloneExperiment(name: string, options: { duration: string; scaleDownDelaySeconds: number; analysis: string }): Manifest {
  const app = name.split('-')[0] ?? name;
  const template = (variant: string, image: string) => ({
    name: variant,
    replicas: 1,
    selector: { matchLabels: { app, variant } },
    template: {
      metadata: { labels: { app, variant } },
      spec: { containers: [{ name: app, image, ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
    ...(variant === 'candidate' ? { service: {} } : {}),
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Experiment',
    metadata: { name },
    spec: {
      duration: options.duration,
      scaleDownDelaySeconds: options.scaleDownDelaySeconds,
      templates: [template('baseline', `shop/${app}:1`), template('candidate', `shop/${app}:2`)],
      analyses: [{ name: 'compare', templateName: options.analysis, args: args(app) }],
    },
  };
}

type ExperimentRow = NonNullable<Awaited<ReturnType<E2eSystem['database']['experiment']['findFirst']>>>;

/** The experiment's row once `condition` holds. */
function experimentRow(
  space: E2eNamespace,
  name: string,
  condition: (row: ExperimentRow) => boolean,
  timeoutMs = 60_000,
): Promise<ExperimentRow> {
  return eventually(
    async () => {
      const row = await system.database.experiment.findFirst({ where: { namespace: space.namespace, name } });
      return row !== null && condition(row) ? row : undefined;
    },
    timeoutMs,
    `experiment ${name}`,
  );
}

describe.concurrent('analysis through the agent decides releases', { timeout: 150_000 }, () => {
  it('continues after an inline analysis that succeeds, the agent reading the token from the cluster’s Secret', async () => {
    successRates.set('checkout', 0.99);
    const rollout = canaryRollout('checkout', 'shop/checkout:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }], args: args('checkout') } },
      { setWeight: 60 },
    ];
    const space = await released('analysis-ok', rollout, [successRate()]);

    await space.setImage('checkout', 'checkout', 'shop/checkout:2');
    await space.waitForPhase(
      'checkout',
      'Healthy',
      (reported) => reported.generation > 1 && reported.observedGeneration === reported.generation && reported.currentStepIndex === 3,
      90_000,
    );

    const [run] = await runsOf(space);
    expect(run).toMatchObject({ kind: 'step', phase: 'Successful' });
    expect(run?.measurements.map((measurement) => [measurement.phase, measurement.value])).toEqual([
      ['Successful', '0.99'],
      ['Successful', '0.99'],
    ]);
    expect(authorizations).toContain(`Bearer ${API_TOKEN}`);
    const stored = JSON.stringify(await system.database.analysisRun.findMany({ where: { namespace: space.namespace } }));
    expect(stored).not.toContain(API_TOKEN);
  });

  it('aborts to stable when the application starts failing under background analysis over success-rate and error-rate, merged in one run', async () => {
    successRates.set('cart', 0.99);
    const rollout = canaryRollout('cart', 'shop/cart:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { pause: {} }];
    rollout.spec.strategy.canary.analysis = {
      templates: [{ templateName: 'success-rate' }, { templateName: 'error-rate' }],
      args: args('cart'),
    };
    const longer = { count: 10 };
    const space = await released('analysis-fail', rollout, [
      webTemplate('success-rate', 'successRate', { successCondition: 'result >= 0.95', ...longer }),
      webTemplate('error-rate', 'errorRate', { failureCondition: 'result > 0.05', ...longer }),
    ]);

    await space.setImage('cart', 'cart', 'shop/cart:2');
    await space.waitFor('cart', 'a first healthy measurement of both metrics', async () => {
      const measurements = (await runsOf(space))[0]?.measurements ?? [];
      return measurements.filter((measurement) => measurement.index === 0 && measurement.phase === 'Successful').length === 2;
    });
    successRates.set('cart', 0.8);

    await space.waitForPhase('cart', 'Degraded', () => true, 90_000);
    const [run] = await runsOf(space);
    expect(run).toMatchObject({ kind: 'background', phase: 'Failed' });
    const phasesOf = (metricName: string) =>
      run?.measurements.filter((measurement) => measurement.metricName === metricName).map((measurement) => measurement.phase);
    expect(phasesOf('success-rate')?.[0]).toBe('Successful');
    expect(phasesOf('success-rate')?.at(-1)).toBe('Failed');
    expect(phasesOf('error-rate')?.[0]).toBe('Successful');
    await space.waitFor('cart', 'the stable pods back at full size', async () =>
      Object.values(await space.readyPodsByHash('cart')).includes(5),
    );
  });

  it('pauses on an inconclusive result until promoted', async () => {
    successRates.set('search', 0.7);
    const rollout = canaryRollout('search', 'shop/search:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'latency' }], args: args('search') } },
      { setWeight: 60 },
    ];
    const space = await released('analysis-inconclusive', rollout, [latency()]);

    await space.setImage('search', 'search', 'shop/search:2');
    await space.waitForPhase('search', 'Paused', (reported) => reported.generation > 1, 90_000);
    expect((await runsOf(space))[0]?.phase).toBe('Inconclusive');
    await space.operate('promote', 'search');
    await space.waitForPhase(
      'search',
      'Healthy',
      (reported) => reported.observedGeneration === reported.generation && reported.currentStepIndex === 3,
      90_000,
    );
  });

  it('runs an experiment step beside the rollout: its required analysis succeeds, the rollout goes on, and the experiment is scaled down and released', async () => {
    successRates.set('reviews', 0.99);
    const rollout = canaryRollout('reviews', 'shop/reviews:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      {
        experiment: {
          templates: [
            { name: 'baseline', specRef: 'stable' },
            { name: 'candidate', specRef: 'canary', service: {} },
          ],
          analyses: [{ name: 'compare', templateName: 'success-rate', args: args('reviews'), requiredForCompletion: true }],
        },
      },
      { setWeight: 60 },
    ];
    const space = await released('experiment-ok', rollout, [successRate()]);

    await space.setImage('reviews', 'reviews', 'shop/reviews:2');
    const running = await experimentOf(space, 'reviews');
    await space.waitFor('reviews', 'both experiment templates running a ready pod', async () => {
      const experimentSets = await experimentReplicaSets(space, running.name);
      return experimentSets.length === 2 && experimentSets.every((replicaSet) => replicaSet.readyReplicas === 1);
    });
    const experimentSets = await experimentReplicaSets(space, running.name);
    const candidate = experimentSets.find((replicaSet) => replicaSet.name.endsWith('-candidate'));
    const revisionHashes = new Set((await space.replicaSets('reviews')).map((replicaSet) => replicaSet.hash));
    expect(experimentSets.every((replicaSet) => !revisionHashes.has(replicaSet.hash))).toBe(true);
    expect(await space.serviceSelector(`${running.name}-candidate`)).toEqual({
      app: 'reviews',
      'rollouts-pod-template-hash': candidate?.hash,
    });

    await space.waitForPhase(
      'reviews',
      'Healthy',
      (reported) => reported.generation > 1 && reported.observedGeneration === reported.generation && reported.currentStepIndex === 3,
      90_000,
    );
    const finished = await system.database.experiment.findUniqueOrThrow({
      where: { id: running.id },
      include: { analysisRuns: { include: { measurements: true } } },
    });
    expect(finished.phase).toBe('Successful');
    expect(finished.analysisRuns.map((run) => [run.name, run.kind, run.phase, run.measurements.length])).toEqual([
      [`${running.name}-compare`, 'experiment', 'Successful', 2],
    ]);

    await space.waitFor(
      'reviews',
      'the experiment released: its ReplicaSets and Service gone',
      async () => {
        const row = await system.database.experiment.findUniqueOrThrow({ where: { id: running.id } });
        return (
          row.releasedAt !== null &&
          (await experimentReplicaSets(space, running.name)).length === 0 &&
          (await space.serviceSelector(`${running.name}-candidate`)) === undefined
        );
      },
      90_000,
    );
  });

  it('aborts to stable when the analysis of an experiment step fails', async () => {
    successRates.set('ratings', 0.5);
    const rollout = canaryRollout('ratings', 'shop/ratings:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      {
        experiment: {
          duration: '5m',
          templates: [{ name: 'candidate', specRef: 'canary' }],
          analyses: [{ name: 'compare', templateName: 'error-rate', args: args('ratings') }],
        },
      },
      { setWeight: 60 },
    ];
    const space = await released('experiment-fail', rollout, [errorRate()]);

    await space.setImage('ratings', 'ratings', 'shop/ratings:2');
    const degraded = await space.waitForPhase('ratings', 'Degraded', (reported) => reported.generation > 1, 90_000);
    expect(degraded.message).toContain('Rollout aborted update to revision 2');
    const experiment = await system.database.experiment.findFirstOrThrow({
      where: { namespace: space.namespace },
      include: { analysisRuns: true },
    });
    expect(experiment).toMatchObject({ phase: 'Failed' });
    expect(experiment.analysisRuns.map((run) => [run.kind, run.phase])).toEqual([['experiment', 'Failed']]);
    await space.waitFor('ratings', 'the stable pods back at full size', async () =>
      Object.values(await space.readyPodsByHash('ratings')).includes(5),
    );
  });

  it('runs a standalone Experiment for its duration with its analysis, then scales it down and releases it', async () => {
    successRates.set('guestbook', 0.99);
    const space = await E2eNamespace.create(system, 'staging', 'experiment-standalone');
    await space.seed(tokenSecret());
    await space.applyManifests(
      toYaml(
        successRate(),
        standaloneExperiment('guestbook-compare', { duration: '15s', scaleDownDelaySeconds: 3, analysis: 'success-rate' }),
      ),
    );

    const running = await experimentRow(space, 'guestbook-compare', (row) => row.phase === 'Running');
    await eventually(
      async () =>
        (await experimentReplicaSets(space, 'guestbook-compare')).filter((replicaSet) => replicaSet.readyReplicas === 1).length === 2,
      60_000,
      'both templates ready',
    );
    const sets = await experimentReplicaSets(space, 'guestbook-compare');
    expect(sets.map((replicaSet) => replicaSet.name).sort()).toEqual(['guestbook-compare-baseline', 'guestbook-compare-candidate']);
    const candidate = sets.find((replicaSet) => replicaSet.name.endsWith('-candidate'));
    expect(await space.serviceSelector('guestbook-compare-candidate')).toEqual({
      app: 'guestbook',
      variant: 'candidate',
      [POD_TEMPLATE_HASH_LABEL]: candidate?.hash,
    });

    const finished = await experimentRow(space, 'guestbook-compare', (row) => row.phase !== 'Running' && row.phase !== 'Pending', 90_000);
    expect(finished.phase).toBe('Successful');
    const runs = await system.database.analysisRun.findMany({ where: { experimentId: running.id }, include: { measurements: true } });
    expect(runs.map((run) => [run.name, run.kind, run.rolloutId, run.phase])).toEqual([
      ['guestbook-compare-compare', 'experiment', null, 'Successful'],
    ]);
    expect(runs[0]?.measurements.map((measurement) => measurement.value)).toEqual(['0.99', '0.99']);

    await experimentRow(space, 'guestbook-compare', (row) => row.releasedAt !== null, 60_000);
    await eventually(
      async () =>
        (await experimentReplicaSets(space, 'guestbook-compare')).length === 0 &&
        (await space.serviceSelector('guestbook-compare-candidate')) === undefined,
      30_000,
      'the experiment’s objects deleted',
    );
  });

  it('fails a standalone Experiment whose analysis fails, before its duration', async () => {
    successRates.set('orders', 0.5);
    const space = await E2eNamespace.create(system, 'staging', 'experiment-failing');
    await space.seed(tokenSecret());
    await space.applyManifests(
      toYaml(errorRate(), standaloneExperiment('orders-compare', { duration: '10m', scaleDownDelaySeconds: 3, analysis: 'error-rate' })),
    );

    const failed = await experimentRow(space, 'orders-compare', (row) => row.phase !== 'Running' && row.phase !== 'Pending', 90_000);
    expect(failed.phase).toBe('Failed');
    await experimentRow(space, 'orders-compare', (row) => row.releasedAt !== null, 60_000);
  });

  it('never switches the active Service when blue-green pre-promotion analysis fails', async () => {
    successRates.set('payments', 0.2);
    const rollout: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'payments' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'payments' } },
        template: { metadata: { labels: { app: 'payments' } }, spec: { containers: [{ name: 'payments', image: 'shop/payments:1' }] } },
        strategy: {
          blueGreen: {
            activeService: 'payments-active',
            previewService: 'payments-preview',
            prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }], args: args('payments') },
          },
        },
      },
    };
    const space = await E2eNamespace.create(system, 'staging', 'analysis-bluegreen');
    const service = (name: string): SimulatedObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: 'payments' }, ports: [{ port: 80 }] },
    });
    await space.seed(tokenSecret(), service('payments-active'), service('payments-preview'));
    await space.applyManifests(toYaml(successRate(), rollout));
    const first = await space.waitForPhase('payments', 'Healthy');
    const stableHash = first.status?.stableRS ?? '';

    await space.setImage('payments', 'payments', 'shop/payments:2');
    await space.waitForPhase('payments', 'Degraded', () => true, 90_000);
    expect((await space.serviceSelector('payments-active'))?.['rollouts-pod-template-hash']).toBe(stableHash);
    expect((await runsOf(space))[0]).toMatchObject({ kind: 'prePromotion', phase: 'Failed' });
  });
});

describe('Prometheus metrics after the releases above', { timeout: 30_000 }, () => {
  it('serves promtool-clean metrics on the worker with Argo’s controller gauges, reconciles, queues and measurements', async () => {
    const [workerMetricsUrl] = system.workerMetricsUrls;
    const families = await scrapeCheckedMetrics(workerMetricsUrl ?? '');
    const checkout = await system.database.rollout.findFirstOrThrow({
      where: { name: 'checkout', organization: { name: system.organizationName } },
    });
    const placement = { namespace: checkout.namespace, name: 'checkout', cluster: 'staging', organization: system.organizationName };

    expect(families.get('rollout_info')?.type).toBe('gauge');
    expect(samplesOf(families.get('rollout_info'), placement)).toEqual([
      { labels: { ...placement, strategy: 'canary', traffic_router: '', phase: 'Completed' }, value: 1 },
    ]);
    const phases = samplesOf(families.get('rollout_phase'), placement);
    expect(phases.map((sample) => sample.labels.phase)).toEqual(['Completed', 'Progressing', 'Paused', 'Timeout', 'Error', 'Abort']);
    expect(phases.filter((sample) => sample.value === 1).map((sample) => sample.labels.phase)).toEqual(['Completed']);
    expect(samplesOf(families.get('rollout_info_replicas_available'), placement)).toEqual([
      { labels: placement, value: expect.any(Number) as number },
    ]);

    expect(samplesOf(families.get('analysis_run_info'), { namespace: checkout.namespace, organization: system.organizationName })).toEqual([
      { labels: { ...placement, name: expect.stringContaining('checkout') as string, phase: 'Successful' }, value: 1 },
    ]);
    expect(
      samplesOf(families.get('analysis_run_metric_phase'), {
        namespace: checkout.namespace,
        organization: system.organizationName,
        phase: 'Successful',
      }).map((sample) => sample.labels),
    ).toEqual([expect.objectContaining({ metric: 'success-rate', type: 'Web', dry_run: 'false' })]);
    expect(samplesOf(families.get('experiment_info'), {}).length).toBeGreaterThan(0);
    expect(Object.keys(samplesOf(families.get('experiment_info'), {})[0]?.labels ?? {}).sort()).toEqual([
      'cluster',
      'name',
      'namespace',
      'organization',
      'phase',
    ]);

    expect(families.get('flotilla_reconcile_duration_seconds')?.type).toBe('histogram');
    const reconciles = histogramCounts(families, 'flotilla_reconcile_duration_seconds', { kind: 'rollout' });
    expect(reconciles.reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThan(0);
    expect(families.get('flotilla_reconcile_errors_total')?.type).toBe('counter');
    expect(samplesOf(families.get('flotilla_queue_jobs'), { queue: 'reconcile' }).map((sample) => sample.labels.state)).toEqual([
      'wait',
      'prioritized',
      'delayed',
      'active',
      'failed',
    ]);
    expect(histogramCounts(families, 'flotilla_queue_job_wait_seconds', { queue: 'reconcile' })[0]?.value).toBeGreaterThan(0);
    expect(
      histogramCounts(families, 'flotilla_measurement_duration_seconds', { provider: 'Web', taken_by: 'agent' })[0]?.value,
    ).toBeGreaterThan(0);
    expect(families.has('flotilla_worker_process_resident_memory_bytes')).toBe(true);
    expect(families.has('flotilla_worker_nodejs_active_handles')).toBe(true);
  });

  it('serves promtool-clean metrics on the API with its agents and their messages by type', async () => {
    const [apiMetricsUrl] = system.apiMetricsUrls;
    const families = await scrapeCheckedMetrics(apiMetricsUrl ?? '');
    expect(samplesOf(families.get('flotilla_agent_connections'), {})).toEqual([{ labels: {}, value: 2 }]);
    const messages = families.get('flotilla_agent_messages_total');
    expect(messages?.type).toBe('counter');
    expect(samplesOf(messages, { direction: 'received', type: 'hello' })[0]?.value).toBeGreaterThanOrEqual(2);
    expect(samplesOf(messages, { direction: 'received', type: 'measurement' })[0]?.value).toBeGreaterThan(0);
    expect(samplesOf(messages, { direction: 'sent', type: 'measure' })[0]?.value).toBeGreaterThan(0);
    expect(families.get('flotilla_agent_messages_dropped_total')?.type).toBe('counter');
    expect(families.has('flotilla_api_process_resident_memory_bytes')).toBe(true);
  });
});
