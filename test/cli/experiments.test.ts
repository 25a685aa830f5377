import type { ExperimentStatus } from '@flotilla/rollout-engine';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { apiForThisFile } from '../support/test-api.js';
import { hasAnsi, runCli, startCli } from '../support/cli/cli-process.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const as = (role: 'deployer' | 'viewer') => ({ environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens[role] } });
const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
const DAY = 24 * 3_600_000;
const threeDaysAgo = new Date(Date.now() - 3 * DAY);

const templateSpec = (name: string, image: string) => ({
  name,
  replicas: 1,
  selector: { matchLabels: { app: 'checkout', role: name } },
  template: { metadata: { labels: { app: 'checkout', role: name } }, spec: { containers: [{ name: 'checkout', image }] } },
});

const templateStatus = (name: string, podTemplateHash: string, ready: number) => ({
  name,
  status: 'Running' as const,
  message: '',
  podTemplateHash,
  replicas: 1,
  readyReplicas: ready,
  availableReplicas: ready,
  lastTransitionTime: threeDaysAgo.toISOString(),
});

const runningStatus: ExperimentStatus = {
  phase: 'Running',
  message: '',
  availableAt: new Date(Date.now() - 60_000).toISOString(),
  finishedAt: undefined,
  templateStatuses: [templateStatus('baseline', '5d8f7c', 1), templateStatus('canary', '7b9c4d', 0)],
  analysisRuns: [{ name: 'compare', analysisRun: 'smoke-test-compare', phase: 'Running', message: '' }],
};

beforeAll(async () => {
  const staging = (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } })).id;
  const smoke = await api.database.experiment.create({
    data: {
      organizationId: org.id,
      clusterId: staging,
      namespace: 'shop',
      name: 'smoke-test',
      spec: json({ duration: '1h', templates: [templateSpec('baseline', 'shop/checkout:1'), templateSpec('canary', 'shop/checkout:2')] }),
      phase: 'Running',
      status: json(runningStatus),
      createdAt: threeDaysAgo,
    },
  });
  await api.database.analysisRun.create({
    data: {
      organizationId: org.id,
      clusterId: staging,
      experimentId: smoke.id,
      namespace: 'shop',
      name: 'smoke-test-compare',
      kind: 'experiment',
      spec: json({ analysis: { templates: [{ templateName: 'success-rate' }] }, stablePodTemplateHash: null }),
      phase: 'Running',
      startedAt: threeDaysAgo,
      measurements: {
        create: ['Successful', 'Successful', 'Failed'].map((phase, index) => ({
          metricName: 'success-rate',
          index,
          phase,
          startedAt: threeDaysAgo,
          finishedAt: threeDaysAgo,
        })),
      },
    },
  });
  await api.database.experiment.create({
    data: {
      organizationId: org.id,
      clusterId: staging,
      namespace: 'load',
      name: 'soak',
      spec: json({ templates: [templateSpec('soak', 'shop/checkout:3')] }),
      phase: 'Successful',
      message: 'experiment completed',
      createdAt: threeDaysAgo,
    },
  });
});

describe('get experiment', () => {
  it('draws the experiment as the Argo plugin does: summary, template ReplicaSets with counts, runs with ✔/✖ counts', async () => {
    const result = await runCli(['get', 'experiment', 'smoke-test'], as('viewer'));
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'Name:            smoke-test',
        'Namespace:       shop',
        'Cluster:         staging',
        'Status:          ◌ Running',
        'Images:          shop/checkout:1',
        '                 shop/checkout:2',
        '',
        'NAME                              KIND          STATUS          AGE    INFO',
        'Σ smoke-test                      Experiment    ◌ Running       3d0h',
        '├──⧉ smoke-test-baseline-5d8f7c   ReplicaSet    ✔ Healthy       3d0h   desired:1,current:1,ready:1,available:1',
        '├──⧉ smoke-test-canary-7b9c4d     ReplicaSet    ◌ Progressing   3d0h   desired:1,current:1,ready:0,available:0',
        '└──α smoke-test-compare           AnalysisRun   ◌ Running       3d0h   ✔ 2,✖ 1 (experiment)',
        '',
      ].join('\n'),
    );
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('answers the experiment as JSON with -o json, under its aliases exp and experiments', async () => {
    const [exp, experiments] = await Promise.all([
      runCli(['get', 'exp', 'smoke-test', '--cluster', 'staging', '--namespace', 'shop', '-o', 'json'], as('viewer')),
      runCli(['get', 'experiments', 'soak'], as('viewer')),
    ]);
    expect(JSON.parse(exp.stdout)).toMatchObject({
      name: 'smoke-test',
      phase: 'Running',
      templates: [{ name: 'baseline', podTemplateHash: '5d8f7c' }, { name: 'canary' }],
      analysisRuns: [{ name: 'smoke-test-compare', phase: 'Running' }],
    });
    expect(experiments.stdout).toContain('Status:          ✔ Successful\nMessage:         experiment completed\n');
  });

  it.each([
    { args: ['get', 'experiment', 'ghost'], stderr: 'error: experiment/not_found: no experiment named ghost\n' },
    { args: ['get', 'experiment', 'ghost', '--cluster', 'staging', '-n', 'shop'], stderr: 'error: experiment/not_found: ' },
  ])('exits 3 for an unknown experiment: $args', async ({ args, stderr }) => {
    const result = await runCli(args, as('viewer'));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(stderr);
  });

  it('with --watch prints the tree once while nothing changes, and ends at --timeout', async () => {
    const watching = startCli(['get', 'experiment', 'soak', '--watch', '--timeout', '4s'], as('viewer'));
    const result = await watching.finished;
    expect(result.exitCode).toBe(0);
    expect(result.stdout.match(/Σ soak/g)).toHaveLength(1);
  });
});

describe('list experiments', () => {
  it('lists every namespace without a context, with DURATION and REMAINING as upstream computes them', async () => {
    const result = await runCli(['list', 'experiments'], as('viewer'));
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+NAME\s+STATUS\s+DURATION\s+REMAINING\s+AGE$/);
    expect(lines[1]).toMatch(/^staging\s+load\s+soak\s+Successful\s+-\s+-\s+3d0h$/);
    expect(lines[2]).toMatch(/^staging\s+shop\s+smoke-test\s+Running\s+60m\s+5\dm\s+3d0h$/);
  });

  it('narrows to a namespace with -n; -A lists every namespace and refuses -n beside it', async () => {
    const [inShop, all, both] = await Promise.all([
      runCli(['list', 'exp', '-n', 'shop', '-o', 'json'], as('viewer')),
      runCli(['list', 'experiment', '--cluster', 'staging', '-A', '-o', 'json'], as('viewer')),
      runCli(['list', 'experiments', '-A', '-n', 'shop'], as('viewer')),
    ]);
    const names = (output: string) => (JSON.parse(output) as { name: string }[]).map((experiment) => experiment.name).sort();
    expect(names(inShop.stdout)).toEqual(['smoke-test']);
    expect(names(all.stdout)).toEqual(['smoke-test', 'soak']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('--all-namespaces and --namespace exclude each other');
  });

  it('says so on stderr when there is none', async () => {
    const result = await runCli(['list', 'experiments', '-n', 'nowhere'], as('viewer'));
    expect(result).toMatchObject({ exitCode: 0, stdout: '', stderr: 'No resources found.\n' });
  });
});

describe('terminate analysisrun', () => {
  it('terminates a run by name alone, printing what the Argo plugin prints, and refuses it once ended (exit 1)', async () => {
    const first = await runCli(['terminate', 'analysisrun', 'smoke-test-compare', '--reason', 'seen enough'], as('deployer'));
    expect(first).toMatchObject({ exitCode: 0, stdout: "analysisRun 'smoke-test-compare' terminated\n", stderr: '' });
    const tree = await runCli(['get', 'experiment', 'smoke-test'], as('viewer'));
    expect(tree.stdout).toMatch(/└──α smoke-test-compare\s+AnalysisRun\s+✔ Successful\s/);
    const again = await runCli(['terminate', 'ar', 'smoke-test-compare', '-o', 'json'], as('deployer'));
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('error: analysis_run/operation_refused: terminate refused: the analysis run already ended Successful\n');
  });

  it.each([
    { args: ['terminate', 'analysisruns', 'ghost'], exitCode: 3, stderr: 'error: analysis_run/not_found: no analysis run named ghost\n' },
    { args: ['terminate', 'analysisrun', 'smoke-test-compare'], exitCode: 4, stderr: 'error: auth/forbidden: ' },
  ])('exits $exitCode: $args', async ({ args, exitCode, stderr }) => {
    const result = await runCli(args, exitCode === 4 ? as('viewer') : as('deployer'));
    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr).toContain(stderr);
  });
});

describe('terminate experiment', () => {
  it('asks the engine to terminate the experiment, found by name alone, and refuses a second time (exit 1)', async () => {
    const first = await runCli(['terminate', 'experiment', 'smoke-test'], as('deployer'));
    expect(first).toMatchObject({ exitCode: 0, stdout: "experiment 'smoke-test' terminated\n", stderr: '' });
    const again = await runCli(['terminate', 'exp', 'smoke-test', '--cluster', 'staging', '-n', 'shop'], as('deployer'));
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('error: experiment/operation_refused: terminate refused: the experiment is terminating already\n');
    const missing = await runCli(['terminate', 'experiments', 'ghost'], as('deployer'));
    expect(missing).toMatchObject({ exitCode: 3, stderr: 'error: experiment/not_found: no experiment named ghost\n' });
  });
});

describe('retry experiment', () => {
  it('starts a failed experiment over, and refuses one still running (exit 1); retry NAME still retries a rollout', async () => {
    const staging = (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } })).id;
    await api.database.experiment.create({
      data: {
        organizationId: org.id,
        clusterId: staging,
        namespace: 'shop',
        name: 'regressed',
        spec: json({ templates: [templateSpec('canary', 'shop/checkout:2')] }),
        phase: 'Failed',
        status: json({ ...runningStatus, phase: 'Failed', message: 'analysis compare failed' }),
      },
    });
    const retried = await runCli(['retry', 'experiment', 'regressed'], as('deployer'));
    expect(retried).toMatchObject({ exitCode: 0, stdout: "experiment 'regressed' retried\n", stderr: '' });
    expect((await runCli(['get', 'exp', 'regressed'], as('viewer'))).stdout).toContain('Status:          ◌ Pending\n');
    const running = await runCli(['retry', 'exp', 'smoke-test'], as('deployer'));
    expect(running.exitCode).toBe(1);
    expect(running.stderr).toBe(
      'error: experiment/operation_refused: retry refused: the experiment is Running: only one that failed or was terminated can be retried\n',
    );
    const rollout = await runCli(['retry', 'rollout', 'ghost', '--cluster', 'staging', '-n', 'shop'], as('deployer'));
    expect(rollout).toMatchObject({ exitCode: 3, stderr: expect.stringContaining('rollout/not_found') as unknown });
  });
});
