import { KubeConfig } from '@kubernetes/client-node';
import { startKubeSim, type KubeObject, type KubeSim } from '@flotilla/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../fake-backend.test-support.js';
import { ANALYSIS_RUN_UID_LABEL, type JobRunner } from '../jobs/job-runner.js';
import { createKubernetesJobRunner } from '../jobs/kubernetes-job-runner.js';
import { jobAdapter, jobManifest } from './job.js';

let sim: KubeSim;
let jobs: JobRunner;
beforeAll(async () => {
  sim = await startKubeSim({ clusters: ['staging'], podReadyDelayMs: 20 });
  const config = new KubeConfig();
  config.loadFromString(sim.kubeconfig('staging'));
  jobs = createKubernetesJobRunner(config);
});
afterAll(() => sim.stop());

const smokeTest = (image: string) => ({
  metadata: { labels: { team: 'payments' }, annotations: { 'example.com/owner': 'sre' } },
  spec: {
    backoffLimit: 0,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image, command: ['./smoke-test.sh'] }] } },
  },
});

const jobNamed = (name: string) => sim.get('staging', { kind: 'Job', apiVersion: 'batch/v1', namespace: 'default', name });

describe('jobManifest', () => {
  it('names, labels and annotates the Job as Argo does', () => {
    expect(jobManifest(smokeTest('smoke:1'), { name: 'checkout-6d8f9-2', namespace: 'shop', uid: 'a1b2' }, 'smoke', 3).metadata).toEqual({
      name: 'a1b2.smoke.3',
      namespace: 'shop',
      labels: { team: 'payments', [ANALYSIS_RUN_UID_LABEL]: 'a1b2' },
      annotations: {
        'example.com/owner': 'sre',
        'analysisrun.argoproj.io/name': 'checkout-6d8f9-2',
        'analysisrun.argoproj.io/metric-name': 'smoke',
      },
    });
  });
});

describe('jobAdapter against the Kubernetes simulator', () => {
  const context = (uid: string, measurementIndex = 1, signal?: AbortSignal) =>
    testContext({
      jobs,
      run: { name: 'checkout-6d8f9-2', namespace: 'default', uid },
      metricName: 'smoke',
      measurementIndex,
      pollIntervalMs: 20,
      ...(signal ? { signal } : {}),
    });

  it('creates the Job and is Successful once it completes', async () => {
    const outcome = await jobAdapter.measure(smokeTest('smoke:1'), context('run-ok'));
    expect(outcome).toEqual({ ok: true, value: true, rawValue: '', phase: 'Successful', metadata: { 'job-name': 'run-ok.smoke.1' } });
    const job = jobNamed('run-ok.smoke.1') as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(job.metadata.labels).toMatchObject({ team: 'payments', [ANALYSIS_RUN_UID_LABEL]: 'run-ok' });
    expect(job.metadata.annotations).toMatchObject({
      'analysisrun.argoproj.io/name': 'checkout-6d8f9-2',
      'analysisrun.argoproj.io/metric-name': 'smoke',
    });
    expect(job.spec.template.spec.containers[0]?.image).toBe('smoke:1');
  });

  it('is Failed when the Job fails', async () => {
    const outcome = await jobAdapter.measure(smokeTest('smoke:fail'), context('run-fail', 2));
    expect(outcome).toEqual({ ok: true, value: false, rawValue: '', phase: 'Failed', metadata: { 'job-name': 'run-fail.smoke.2' } });
  });

  it('reuses a Job the same run already created, and refuses one of another run', async () => {
    await jobs.create(jobManifest(smokeTest('smoke:1'), { name: 'r', namespace: 'default', uid: 'run-again' }, 'smoke', 1));
    await expect(jobAdapter.measure(smokeTest('smoke:1'), context('run-again'))).resolves.toMatchObject({ ok: true, phase: 'Successful' });
    const foreign = jobManifest(smokeTest('smoke:1'), { name: 'r', namespace: 'default', uid: 'run-foreign' }, 'smoke', 1);
    foreign.metadata.labels[ANALYSIS_RUN_UID_LABEL] = 'someone-else';
    await jobs.create(foreign);
    const outcome = await jobAdapter.measure(smokeTest('smoke:1'), context('run-foreign'));
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('belongs to another analysis run') as unknown });
  });

  // upstream: TestTerminateMeasurement
  it('deletes the Job when the measurement is terminated, and is Inconclusive', async () => {
    const terminate = new AbortController();
    const measuring = jobAdapter.measure(smokeTest('smoke:1'), context('run-stop', 1, terminate.signal));
    terminate.abort();
    await expect(measuring).resolves.toEqual({
      ok: true,
      value: undefined,
      rawValue: '',
      phase: 'Inconclusive',
      metadata: { 'job-name': 'run-stop.smoke.1' },
    });
    const job = jobNamed('run-stop.smoke.1');
    expect(job === undefined || job.metadata.deletionTimestamp !== undefined).toBe(true);
  });

  it('is an error without Kubernetes access', async () => {
    await expect(jobAdapter.measure(smokeTest('smoke:1'), testContext())).resolves.toEqual({
      ok: false,
      error: 'no Kubernetes access to run jobs',
    });
  });
});
