import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvergingAgent } from '../support/converging-agent.js';
import { canaryRollout, canarySpec, toYaml } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';
import { hasAnsi, runCli, startCli } from '../support/cli/cli-process.js';

let api: TestApi;
let org: TestOrganization;
let worker: ChildProcess;
let agent: ConvergingAgent;

const shop = ['--cluster', 'staging', '--namespace', 'shop'];
const cli = (args: string[], stdin?: string) =>
  runCli(args, {
    environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens.deployer },
    ...(stdin === undefined ? {} : { stdin }),
  });

/** The canary of the getting-started guide with a short timed pause, so that a release takes seconds. */
function quickCanary(name: string, image: string) {
  const rollout = canaryRollout(name, image);
  canarySpec(rollout).strategy.canary.steps = [
    { setWeight: 20 },
    { pause: {} },
    { setWeight: 40 },
    { pause: { duration: '2s' } },
    { setWeight: 60 },
    { setWeight: 80 },
  ];
  return rollout;
}

/** Every `Step: x/N` of a stream of frames, in order. */
const stepsShown = (frames: string): string[] => [...frames.matchAll(/ {2}Step: +(\d+\/\d+)/g)].map((match) => match[1] as string);

beforeAll(async () => {
  api = await startTestApi();
  org = await api.organization({ cluster: 'staging' });
  worker = startNodeProcess('apps/worker/dist/main.js', {
    ...api.environment,
    SWEEP_INTERVAL_MS: '500',
    JOB_LOCK_MS: '2000',
    AGENT_SILENCE_LIMIT_MS: '60000',
  });
  agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
  await agent.connect();
  const applied = await cli(
    ['apply', '-f', '-', ...shop],
    toYaml(quickCanary('checkout', 'shop/checkout:1'), quickCanary('cart', 'shop/cart:1')),
  );
  expect(applied.exitCode).toBe(0);
});
afterAll(async () => {
  agent.disconnect();
  await stopProcess(worker);
  await api.close();
});

describe('a release operated from the terminal', () => {
  it('set image, watch the steps advance live, promote, wait for Healthy, read the history', async () => {
    expect(await cli(['status', 'checkout', ...shop, '--timeout', '30s'])).toMatchObject({ exitCode: 0 });

    // `*=IMAGE` sets every container's image, as in Argo.
    expect(await cli(['set', 'image', 'checkout', '*=shop/checkout:2', ...shop])).toMatchObject({
      exitCode: 0,
      stdout: expect.stringContaining('setImage (image=shop/checkout:2, container=*) requested') as unknown,
    });
    await eventually(
      async () => (await cli(['status', 'checkout', ...shop, '--watch=false'])).stdout.startsWith('Paused'),
      15_000,
      'a one-shot status to say Paused',
    );
    const paused = await cli(['status', 'checkout', ...shop, '--timeout', '4s']);
    expect(paused.exitCode).toBe(5);
    expect(paused.stdout).toContain('Paused');
    expect(paused.stderr).toMatch(/^error: timed out after 4s waiting for staging\/shop\/checkout to be Healthy\n {2}it is Paused - .+\n$/);

    const watch = startCli(['get', 'rollout', 'checkout', ...shop, '--watch', '--timeout', '40s'], {
      environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens.viewer },
    });
    await eventually(() => Promise.resolve(stepsShown(watch.stdout()).includes('1/6')), 15_000, 'the first frame at step 1/6');
    expect(watch.stdout()).toContain('SetWeight:     20');
    expect(watch.stdout()).toMatch(/Images: +shop\/checkout:1 \(stable\)\n +shop\/checkout:2 \(canary\)/);

    const promoted = await cli(['promote', 'checkout', ...shop]);
    expect(promoted).toMatchObject({ exitCode: 0, stderr: '' });
    expect(promoted.stdout).toMatch(/ is Pending\nrollout staging\/shop\/checkout: promote applied\n$/);
    const healthy = await cli(['status', 'checkout', ...shop, '--timeout', '30s']);
    expect(healthy).toMatchObject({ exitCode: 0, stderr: '' });
    expect(healthy.stdout.trim().split('\n').at(-1)).toMatch(/^Healthy/);
    // The status above reads the rollout as soon as it is Healthy; the watch may print that frame a moment later.
    await eventually(
      () => Promise.resolve(stepsShown(watch.stdout()).includes('6/6') && /# revision:2\s+Revision\s+✔ Healthy/.test(watch.stdout())),
      15_000,
      'a frame at step 6/6 with revision 2 Healthy',
    );
    watch.child.kill('SIGINT');
    const watched = await watch.finished;
    expect(watched.exitCode).toBe(0);

    const frames = watched.stdout.split('\n\nName:');
    expect(frames.length).toBeGreaterThan(2);
    const steps = stepsShown(watched.stdout).map((step) => Number(step.split('/')[0]));
    expect(steps).toEqual([...steps].sort((left, right) => left - right));
    expect(new Set(steps).size).toBeGreaterThanOrEqual(3);
    expect(watched.stdout).toMatch(/# revision:2\s+Revision\s+✔ Healthy/);
    expect(hasAnsi(watched.stdout)).toBe(false);

    const history = await cli(['history', 'checkout', ...shop]);
    const rows = history.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^REVISION\s+IMAGES\s+BY\s+STARTED\s+OUTCOME\s+DURATION$/);
    expect(rows[1]).toMatch(/^2\s+shop\/checkout:2\s+token:deployer\s+\d+s ago\s+✔ Healthy\s+\d+s$/);
    expect(rows[2]).toMatch(/^1\s+shop\/checkout:1\s+token:deployer\s+\d+s ago\s+\S+ \w+\s+\d+s/);
    const json = JSON.parse((await cli(['history', 'checkout', ...shop, '-o', 'json'])).stdout) as { revision: number; images: string[] }[];
    expect(json.map(({ revision, images }) => ({ revision, images }))).toEqual([
      { revision: 2, images: ['shop/checkout:2'] },
      { revision: 1, images: ['shop/checkout:1'] },
    ]);

    const refusal = 'promote refused: the rollout is fully promoted: nothing to promote';
    const refused = await cli(['promote', 'checkout', ...shop]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(`error: rollout staging/shop/checkout: ${refusal}\n`);
    const audit = await cli(['audit', '--action', 'rollout.operation_refused', '--target', 'staging/shop/checkout', '--limit', '1']);
    expect(audit.stdout.trim().split('\n')[1]).toMatch(
      new RegExp(`^\\d+s\\s+engine\\s+rollout\\.operation_refused\\s+Rollout staging/shop/checkout\\s+${refusal}$`),
    );
  }, 60_000);

  it('exits 5 with the reason once an aborted update leaves the rollout Degraded', async () => {
    expect(await cli(['status', 'cart', ...shop, '--timeout', '30s'])).toMatchObject({ exitCode: 0 });
    expect((await cli(['set', 'image', 'cart', 'cart=shop/cart:2', ...shop])).exitCode).toBe(0);
    await eventually(
      async () => (await cli(['list', 'rollouts', '-l', 'app=cart', '--phase', 'Paused', '-o', 'json'])).stdout.includes('"cart"'),
      20_000,
      'cart to pause',
    );

    expect((await cli(['abort', 'cart', ...shop, '--reason', 'errors in the canary'])).exitCode).toBe(0);
    const degraded = await cli(['status', 'cart', ...shop, '--timeout', '30s']);
    expect(degraded.exitCode).toBe(5);
    expect(degraded.stdout.trim().split('\n').at(-1)).toMatch(/^Degraded - .*abort/i);
    expect(degraded.stderr).toMatch(/^error: staging\/shop\/cart is Degraded: .*abort/i);
    const once = await cli(['status', 'cart', ...shop, '--watch=false']);
    expect(once).toMatchObject({ exitCode: 5, stdout: expect.stringMatching(/^Degraded - .*abort.*\n$/i) as unknown });

    // Argo's `retry rollout NAME` form starts the update again.
    expect((await cli(['retry', 'rollout', 'cart', ...shop])).stdout).toMatch(/^rollout staging\/shop\/cart: retry requested/);
    await eventually(
      async () => (await cli(['status', 'cart', ...shop, '--watch=false'])).stdout.startsWith('Paused'),
      15_000,
      'cart to pause at its first step again',
    );
  }, 60_000);
});
