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
const agents: ConvergingAgent[] = [];

type Role = 'admin' | 'deployer' | 'viewer';
const as = (role: Role) => ({ environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens[role] } });
const cli = (role: Role, args: string[], stdin?: string) => runCli(args, { ...as(role), ...(stdin === undefined ? {} : { stdin }) });

/** The canary with timed steps only, so that a member releases in seconds on its own. */
function timedCanary(name: string, image: string) {
  const rollout = canaryRollout(name, image);
  canarySpec(rollout).strategy.canary.steps = [{ setWeight: 50 }, { pause: { duration: '1s' } }];
  return rollout;
}

/** The canary with an indefinite pause, so that a member waits there until promoted or aborted. */
function pausingCanary(name: string, image: string) {
  const rollout = canaryRollout(name, image);
  canarySpec(rollout).strategy.canary.steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }];
  return rollout;
}

function fleetRollout(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'flotilla.io/v1alpha1', kind: 'FleetRollout', metadata: { name }, spec };
}

/** `checkout`: a canary wave of the clusters labelled tier=canary, approved by hand, then the rest. */
const checkoutFleet = fleetRollout('checkout', {
  rollout: { namespace: 'shop', name: 'checkout' },
  clusterSelector: { matchLabels: { fleet: 'shop' } },
  waves: [{ name: 'canary', clusterSelector: { matchLabels: { tier: 'canary' } }, approval: 'manual' }, { name: 'main' }],
  failurePolicy: 'halt',
});

/** `cart`: every cluster in one wave, halting on a failure. */
const cartFleet = fleetRollout('cart', {
  rollout: { namespace: 'shop', name: 'cart' },
  waves: [{ name: 'all' }],
  failurePolicy: 'halt',
});

interface RolloutImages {
  cluster: string;
  name: string;
  phase: string;
  images: string[];
}

const rolloutsNamed = async (name: string): Promise<RolloutImages[]> =>
  (JSON.parse((await cli('viewer', ['list', 'rollouts', '-l', `app=${name}`, '-o', 'json'])).stdout) as RolloutImages[]).sort(
    (left, right) => left.cluster.localeCompare(right.cluster),
  );

beforeAll(async () => {
  api = await startTestApi();
  org = await api.organization({ cluster: 'staging' });
  const registered = await cli('admin', ['clusters', 'register', 'production', '-o', 'json']);
  expect(registered.exitCode).toBe(0);
  const { agentToken } = JSON.parse(registered.stdout) as { agentToken: string };
  worker = startNodeProcess('apps/worker/dist/main.js', {
    ...api.environment,
    SWEEP_INTERVAL_MS: '500',
    JOB_LOCK_MS: '2000',
    AGENT_SILENCE_LIMIT_MS: '60000',
  });
  for (const token of [org.agentTokens.staging as string, agentToken]) {
    const agent = new ConvergingAgent(api.url, token);
    await agent.connect();
    agents.push(agent);
  }
  for (const cluster of ['staging', 'production']) {
    const applied = await cli(
      'deployer',
      ['apply', '-f', '-', '--cluster', cluster, '--namespace', 'shop'],
      toYaml(timedCanary('checkout', 'shop/checkout:1'), pausingCanary('cart', 'shop/cart:1')),
    );
    expect(applied).toMatchObject({ exitCode: 0, stderr: '' });
  }
  for (const name of ['checkout', 'cart'])
    await eventually(
      async () => (await rolloutsNamed(name)).filter((rollout) => rollout.phase === 'Healthy').length === 2,
      30_000,
      `${name} Healthy in both clusters`,
    );
});
afterAll(async () => {
  for (const agent of agents) agent.disconnect();
  await stopProcess(worker);
  await api.close();
});

describe('cluster labels, kubectl-style', () => {
  it('sets and removes labels, and refuses to change a value without --overwrite', async () => {
    const labelled = await cli('admin', ['clusters', 'label', 'staging', 'tier=canary', 'fleet=shop', 'legacy=yes']);
    expect(labelled).toMatchObject({ exitCode: 0, stderr: '' });
    expect(/^cluster staging labeled: (\S+)\n$/.exec(labelled.stdout)?.[1]?.split(',').sort()).toEqual([
      'fleet=shop',
      'legacy=yes',
      'tier=canary',
    ]);

    const refused = await cli('admin', ['clusters', 'label', 'staging', 'tier=main']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("error: 'tier' already has a value (canary), and --overwrite is false");

    expect((await cli('admin', ['clusters', 'label', 'staging', 'legacy-'])).exitCode).toBe(0);
    const unchanged = await cli('admin', ['clusters', 'label', 'staging', 'tier=canary', 'gone-']);
    expect(unchanged).toMatchObject({
      exitCode: 0,
      stdout: 'cluster staging not labeled: nothing changed\n',
      stderr: 'label "gone" not found.\n',
    });

    expect((await cli('admin', ['clusters', 'label', 'production', 'tier=canary', 'fleet=shop'])).exitCode).toBe(0);
    expect((await cli('admin', ['clusters', 'label', 'production', 'tier=main', '--overwrite'])).exitCode).toBe(0);

    const clusters = JSON.parse((await cli('viewer', ['clusters', '-o', 'json'])).stdout) as {
      name: string;
      labels: Record<string, string>;
    }[];
    expect(Object.fromEntries(clusters.map((cluster) => [cluster.name, cluster.labels]))).toEqual({
      staging: { tier: 'canary', fleet: 'shop' },
      production: { tier: 'main', fleet: 'shop' },
    });
  });

  it('needs the admin role, and reports invalid labels with their field path', async () => {
    const forbidden = await cli('deployer', ['clusters', 'label', 'staging', 'team=shop']);
    expect(forbidden.exitCode).toBe(4);
    expect(forbidden.stderr).toMatch(/^error: auth\/forbidden: /);

    const invalid = await cli('admin', ['clusters', 'label', 'staging', 'team=not a label value']);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toMatch(/^error: \S+: /);
    expect(invalid.stderr).toContain('labels.team');
  });
});

describe('FleetRollouts applied and planned', () => {
  it('applies FleetRollouts without --cluster or --namespace, as an admin only', async () => {
    const yaml = toYaml(checkoutFleet, cartFleet);
    const forbidden = await cli('deployer', ['apply', '-f', '-'], yaml);
    expect(forbidden.exitCode).toBe(4);

    const applied = await cli('admin', ['apply', '-f', '-'], yaml);
    expect(applied).toMatchObject({ exitCode: 0, stderr: '' });
    expect(applied.stdout).toMatch(/^fleetrollout\/checkout created \(generation 1\)\nfleetrollout\/cart created \(generation 1\)\n$/);

    const mixed = await cli(
      'admin',
      ['apply', '-f', '-', '--cluster', 'staging'],
      toYaml(checkoutFleet, timedCanary('checkout', 'shop/checkout:1')),
    );
    expect(mixed.exitCode).toBe(1);
    expect(mixed.stderr).toMatch(/^error: manifest\/invalid: /);
  });

  it('lists them and shows where each cluster falls', async () => {
    const listed = await cli('viewer', ['fleet', 'list']);
    expect(listed.exitCode).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+ROLLOUT\s+WAVES\s+POLICY\s+RELEASE\s+PHASE$/);
    expect(rows).toContainEqual(expect.stringMatching(/^checkout\s+shop\/checkout\s+canary,main\s+halt\s+-\s+-$/));
    expect(rows).toContainEqual(expect.stringMatching(/^cart\s+shop\/cart\s+all\s+halt\s+-\s+-$/));

    const plan = await cli('viewer', ['fleet', 'plan', 'checkout']);
    expect(plan).toMatchObject({ exitCode: 0, stderr: '' });
    expect(plan.stdout).toMatch(/^WAVE\s+CLUSTERS\ncanary\s+staging\nmain\s+production\nEvery selected cluster is in a wave\.\n$/);
    expect(JSON.parse((await cli('viewer', ['fleet', 'plan', 'cart', '-o', 'json'])).stdout)).toEqual({
      fleetRollout: 'cart',
      waves: [{ wave: 'all', clusters: ['production', 'staging'] }],
      unassigned: [],
    });

    const missing = await cli('viewer', ['fleet', 'get', 'nope']);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/^error: fleet\/not_found: /);
    const noRelease = await cli('viewer', ['fleet', 'status', 'checkout']);
    expect(noRelease.exitCode).toBe(3);
    expect(noRelease.stderr).toContain('FleetRollout checkout has no release yet');
  });
});

describe('a fleet release operated from the terminal', () => {
  it('releases wave by wave: waits for the approval, watches live, succeeds, and keeps the history', async () => {
    const viewerRelease = await cli('viewer', ['fleet', 'release', 'checkout', '--image', 'checkout=shop/checkout:2']);
    expect(viewerRelease.exitCode).toBe(4);
    expect(viewerRelease.stderr).toMatch(/^error: auth\/forbidden: /);

    const started = await cli('deployer', ['fleet', 'release', 'checkout', '--image', 'checkout=shop/checkout:2', '--reason', 'new flow']);
    expect(started).toMatchObject({ exitCode: 0, stderr: '' });
    expect(started.stdout).toMatch(/^fleet checkout release 1: started \(image checkout=shop\/checkout:2\), /);

    const waiting = await cli('viewer', ['fleet', 'status', 'checkout', '--timeout', '4s']);
    expect(waiting.exitCode).toBe(5);
    expect(waiting.stdout).toContain('(wave 1/2 canary)');
    expect(waiting.stderr).toMatch(/^error: timed out after 4s waiting for release 1 of fleet checkout to succeed\n {2}it is .+\n$/);

    await eventually(
      async () => {
        const tree = JSON.parse((await cli('viewer', ['fleet', 'get', 'checkout', '-o', 'json'])).stdout) as {
          fleetRelease: { waves: { members: { state: string }[]; gates: { gate: string; state: string }[] }[] };
        };
        const [canary] = tree.fleetRelease.waves;
        return (
          canary?.members[0]?.state === 'Released' && canary.gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting')
        );
      },
      30_000,
      'the canary wave released and waiting for its approval',
    );
    const beforeApproval = await cli('viewer', ['fleet', 'get', 'checkout']);
    expect(beforeApproval.stdout).toMatch(/Name: +checkout\nRollout: +shop\/checkout\n/);
    expect(beforeApproval.stdout).toMatch(/Change: +image checkout=shop\/checkout:2\nReason: +new flow\n/);
    expect(beforeApproval.stdout).toMatch(/≋ canary\s+Wave\s+◌ Progressing/);
    expect(beforeApproval.stdout).toMatch(/◇ approval\s+Gate\s+◌ Waiting/);
    expect(beforeApproval.stdout).toMatch(/⎈ staging\s+Member\s+✔ Released\s+\d+s\s+✔ Healthy/);
    expect(beforeApproval.stdout).toMatch(/⎈ production\s+Member\s+◌ Pending/);

    const watch = startCli(['fleet', 'get', 'checkout', '--watch', '--timeout', '60s'], as('viewer'));
    await eventually(() => Promise.resolve(watch.stdout().includes('◇ approval')), 15_000, 'the first frame of the watch');

    const approved = await cli('deployer', ['fleet', 'approve', 'checkout', '--wave', 'canary', '--reason', 'canary fine']);
    expect(approved).toMatchObject({ exitCode: 0, stderr: '' });
    expect(approved.stdout).toMatch(/^fleet checkout release 1: approved, /);

    const succeeded = await cli('viewer', ['fleet', 'status', 'checkout', '--timeout', '60s']);
    expect(succeeded).toMatchObject({ exitCode: 0, stderr: '' });
    expect(succeeded.stdout.trim().split('\n').at(-1)).toMatch(/^Succeeded/);
    expect((await rolloutsNamed('checkout')).map((rollout) => rollout.images)).toEqual([['shop/checkout:2'], ['shop/checkout:2']]);

    await eventually(() => Promise.resolve(/Status: +✔ Succeeded/.test(watch.stdout())), 15_000, 'a frame of the succeeded release');
    watch.child.kill('SIGINT');
    const watched = await watch.finished;
    expect(watched.exitCode).toBe(0);
    expect(watched.stdout.split('\n\nName:').length).toBeGreaterThan(2);
    expect(watched.stdout).toMatch(/⎈ production\s+Member\s+✔ Released/);
    expect(watched.stdout).toMatch(/≋ canary\s+Wave\s+✔ Passed\s+\S+\s+1\/1 released, approved by \S+ \(canary fine\)/);
    expect(hasAnsi(watched.stdout)).toBe(false);

    const history = await cli('viewer', ['fleet', 'history', 'checkout']);
    const rows = history.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^RELEASE\s+PHASE\s+CHANGE\s+BY\s+STARTED\s+DURATION\s+MESSAGE$/);
    expect(rows[1]).toMatch(/^1\s+✔ Succeeded\s+image checkout=shop\/checkout:2\s+token:deployer\s+\d+s ago\s+\d+s/);

    const listed = await cli('viewer', ['fleet', 'list']);
    expect(listed.stdout).toMatch(/\ncheckout\s+shop\/checkout\s+canary,main\s+halt\s+1\s+✔ Succeeded\n/);

    const nothingToApprove = await cli('deployer', ['fleet', 'approve', 'checkout']);
    expect(nothingToApprove.exitCode).not.toBe(0);
    expect(nothingToApprove.stderr).toMatch(/^error: fleet\/\w+: /);
  }, 120_000);

  it('halts when a member fails (release --wait exits 5), then rolls every member back on abort --rollback', async () => {
    const release = startCli(['fleet', 'release', 'cart', '--image', 'cart=shop/cart:2', '--wait', '--timeout', '60s'], as('deployer'));
    await eventually(
      async () => (await rolloutsNamed('cart')).every((rollout) => rollout.phase === 'Paused' && rollout.images.includes('shop/cart:2')),
      30_000,
      'both members of cart changed and paused at their indefinite pause',
    );

    const aborted = await cli('deployer', ['abort', 'cart', '--cluster', 'production', '--namespace', 'shop', '--reason', 'errors']);
    expect(aborted.exitCode).toBe(0);
    const waited = await release.finished;
    expect(waited.exitCode).toBe(5);
    expect(waited.stdout).toMatch(/^fleet cart release 1: started \(image cart=shop\/cart:2\), /);
    expect(waited.stdout.trim().split('\n').at(-1)).toMatch(/^Halted \(wave 1\/1 all\)/);
    expect(waited.stderr).toMatch(/^error: release 1 of fleet cart is Halted/);

    const halted = await cli('viewer', ['fleet', 'status', 'cart', '--timeout', '10s']);
    expect(halted.exitCode).toBe(5);
    const tree = await cli('viewer', ['fleet', 'get', 'cart']);
    expect(tree.stdout).toMatch(/⎈ production\s+Member\s+✖ Failed/);
    expect(tree.stdout).toMatch(/⎈ staging\s+Member\s+\S+ \w+\s+\S+\s+॥ Paused, step 1\/3, weight 20/);

    const noReason = await cli('deployer', ['fleet', 'skip', 'cart', 'production']);
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('error: fleet skip needs --reason');

    const rollback = await cli('deployer', ['fleet', 'abort', 'cart', '--rollback', '--reason', 'bad build']);
    expect(rollback).toMatchObject({ exitCode: 0, stderr: '' });
    expect(rollback.stdout).toMatch(/^fleet cart release 1: aborted, /);

    const rolledBack = await cli('viewer', ['fleet', 'status', 'cart', '--timeout', '60s']);
    expect(rolledBack.exitCode).toBe(5);
    expect(rolledBack.stdout.trim().split('\n').at(-1)).toMatch(/^RolledBack/);
    await eventually(
      async () => (await rolloutsNamed('cart')).every((rollout) => rollout.images.join() === 'shop/cart:1'),
      30_000,
      'both members of cart back on shop/cart:1',
    );

    const history = JSON.parse((await cli('viewer', ['fleet', 'history', 'cart', '-o', 'json'])).stdout) as {
      number: number;
      phase: string;
    }[];
    expect(history.map(({ number, phase }) => ({ number, phase }))).toEqual([{ number: 1, phase: 'RolledBack' }]);
  }, 120_000);
});
