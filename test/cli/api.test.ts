import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canaryRollout, canarySpec, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';
import { hasAnsi, runCli } from '../support/cli/cli-process.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const as = (role: 'admin' | 'deployer' | 'viewer', token = org.tokens[role]) => ({
  environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: token },
});
const shop = ['--cluster', 'staging', '--namespace', 'shop'];

const analysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'always-fine' },
  spec: {
    metrics: [
      {
        name: 'fine',
        provider: { job: { spec: { template: { spec: { containers: [{ name: 'check', image: 'busybox' }], restartPolicy: 'Never' } } } } },
      },
    ],
  },
};

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-apply-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

beforeAll(async () => {
  const applied = await runCli(
    [
      'apply',
      '-f',
      folderWith({
        'checkout.yaml': toYaml(canaryRollout('checkout', 'shop/checkout:1'), analysisTemplate),
        'cart.yaml': toYaml(canaryRollout('cart', 'shop/cart:1')),
      }),
      ...shop,
    ],
    as('deployer'),
  );
  expect(applied).toMatchObject({ exitCode: 0, stderr: '' });
});

describe('clusters', () => {
  it('registers a cluster, printing its agent token once, and lists clusters with their labels', async () => {
    const registered = await runCli(['clusters', 'register', 'production', '--label', 'env=prod', '-l', 'region=eu'], as('admin'));
    expect(registered.exitCode).toBe(0);
    expect(registered.stdout).toMatch(/^cluster production registered\. Its agent token, shown only now .*\n\S{20,}\n$/);

    const listed = await runCli(['clusters'], as('viewer'));
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+STATE\s+AGENT\s+KUBERNETES\s+LABELS\s+HEARTBEAT$/);
    expect(listed.stdout).toMatch(/production\s+Pending\s+-\s+-\s+env=prod,region=eu\s+-/);
    expect(hasAnsi(listed.stdout)).toBe(false);

    const json = JSON.parse((await runCli(['clusters', '-o', 'json'], as('viewer'))).stdout) as {
      name: string;
      labels: Record<string, string>;
    }[];
    expect(json.map((cluster) => cluster.name).sort()).toEqual(['production', 'staging']);
    expect(json.find((cluster) => cluster.name === 'production')?.labels).toEqual({ env: 'prod', region: 'eu' });
  });

  it('needs the admin role to register: exit 4 with the API code', async () => {
    const result = await runCli(['clusters', 'register', 'sneaky'], as('deployer'));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^error: auth\/forbidden: /);
  });
});

describe('apply', () => {
  it('reports what each document became, Unchanged on a second apply (create -f is apply, as Argo has it), and reads stdin', async () => {
    const yaml = toYaml(canaryRollout('search', 'shop/search:1'));
    const first = await runCli(['apply', '-f', '-', ...shop], { ...as('deployer'), stdin: yaml });
    expect(first).toMatchObject({ exitCode: 0, stdout: 'rollout/search created in staging/shop (generation 1)\n' });
    const again = await runCli(['create', '-f', '-', ...shop, '-o', 'json'], { ...as('deployer'), stdin: yaml });
    expect(JSON.parse(again.stdout)).toEqual([
      { documentIndex: 0, kind: 'Rollout', name: 'search', namespace: 'shop', action: 'Unchanged', generation: 1 },
    ]);
  });

  it("takes the only cluster and the documents' namespace when neither is given", async () => {
    const other = await api.organization({ cluster: 'edge' });
    const rollout = canaryRollout('solo');
    (rollout.metadata as { namespace?: string }).namespace = 'tools';
    const result = await runCli(['apply', '-f', '-'], {
      environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: other.tokens.deployer },
      stdin: toYaml(rollout),
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'rollout/solo created in edge/tools (generation 1)\n' });
  });

  it('lists every problem by file and document, applies nothing and exits 1', async () => {
    const bad = canaryRollout('broken');
    canarySpec(bad).strategy.canary.steps[0].setWeight = 140;
    canarySpec(bad).replicas = -1;
    const folder = folderWith({ 'a-fine.yaml': toYaml(canaryRollout('fine')), 'b-broken.yaml': toYaml(canaryRollout('also-fine'), bad) });
    const result = await runCli(['apply', '-f', folder, ...shop], as('deployer'));
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('error: manifest/invalid: the manifests have 2 problems; nothing was applied');
    expect(lines.slice(1).sort()).toEqual(
      [
        `  manifest/invalid: ${join(folder, 'b-broken.yaml')}:doc[1] spec.replicas: must be non-negative, not -1`,
        `  manifest/invalid: ${join(folder, 'b-broken.yaml')}:doc[1] spec.strategy.canary.steps[0].setWeight: must be between 0 and 100, not 140`,
      ].sort(),
    );
    const listed = JSON.parse((await runCli(['list', 'rollouts', '-o', 'json'], as('viewer'))).stdout) as { name: string }[];
    expect(listed.map((rollout) => rollout.name)).not.toContain('fine');
  });

  it('applies FleetRollouts to the organization with no cluster or namespace, whatever clusters it has', async () => {
    const fleet = await api.organization({ cluster: 'edge' });
    await runCli(['clusters', 'register', 'core'], as('admin', fleet.tokens.admin));
    const fleetRollout = {
      apiVersion: 'flotilla.io/v1alpha1',
      kind: 'FleetRollout',
      metadata: { name: 'checkout' },
      spec: { rollout: { namespace: 'shop', name: 'checkout' }, waves: [{ name: 'all' }] },
    };
    const result = await runCli(['apply', '-f', '-'], { ...as('admin', fleet.tokens.admin), stdin: toYaml(fleetRollout) });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'fleetrollout/checkout created (generation 1)\n' });
  });

  it('names an unknown cluster: exit 3', async () => {
    const result = await runCli(['apply', '-f', '-', '--cluster', 'nowhere'], { ...as('deployer'), stdin: toYaml(canaryRollout('x')) });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      'error: cluster/not_found: cluster nowhere was not found\n  cluster/not_found: cluster: no such cluster',
    );
  });
});

describe('list rollouts', () => {
  it('lists across clusters as a table, JSON or YAML, narrowed by namespace, phase and labels', async () => {
    const table = await runCli(['list', 'rollouts'], as('viewer'));
    expect(table.exitCode).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^CLUSTER\s+NAMESPACE\s+NAME\s+STRATEGY\s+STATUS\s+STEP\s+SET-WEIGHT\s+READY\s+DESIRED\s+UP-TO-DATE\s+AVAILABLE$/,
    );
    expect(table.stdout).toMatch(/staging\s+shop\s+checkout\s+Canary\s+◌ Pending\s+0\/6\s+20\s+0\/0\s+5\s+0\s+0\n/);
    expect(hasAnsi(table.stdout)).toBe(false);

    const names = async (...args: string[]) =>
      (JSON.parse((await runCli(['list', 'rollouts', ...args, '-o', 'json'], as('viewer'))).stdout) as { name: string }[])
        .map((rollout) => rollout.name)
        .sort();
    const [byLabel, pendingInShop, healthy, yaml, wide] = await Promise.all([
      names('-l', 'app=checkout'),
      names('--namespace', 'shop', '--phase', 'Pending'),
      names('--phase', 'Healthy'),
      runCli(['list', 'rollouts', '-l', 'app=cart', '-o', 'yaml'], as('viewer')),
      runCli(['list', 'rollouts', '-l', 'app=cart', '-o', 'wide'], as('viewer')),
    ]);
    expect(byLabel).toEqual(['checkout']);
    expect(pendingInShop).toEqual(expect.arrayContaining(['cart', 'checkout']));
    expect(healthy).toEqual([]);
    expect(parse(yaml.stdout)).toMatchObject([{ name: 'cart', images: ['shop/cart:1'] }]);
    expect(wide.stdout).toMatch(/AVAILABLE\s+IMAGES\s+AGE\s+GENERATION\s+MESSAGE\n.*\s+shop\/cart:1\s+\d+s\s+/);
  });
});

describe('get rollout', () => {
  it('finds the rollout by name alone and draws its tree', async () => {
    const result = await runCli(['get', 'rollout', 'checkout'], as('viewer'));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Name:            checkout\nNamespace:       shop\nCluster:         staging\nStatus:          ◌ Pending',
    );
    expect(result.stdout).toContain('  Step:          0/6');
    expect(result.stdout).toMatch(/⟳ checkout\s+Rollout\s+◌ Pending/);
    expect(hasAnsi(result.stdout)).toBe(false);
    const yaml = parse((await runCli(['get', 'rollout', 'checkout', ...shop, '-o', 'yaml'], as('viewer'))).stdout) as {
      rollout: { name: string; spec: unknown };
    };
    expect(yaml.rollout).toMatchObject({ name: 'checkout', spec: { replicas: 5 } });
  });

  it.concurrent.each([
    { args: ['get', 'rollout', 'ghost'], stderr: 'error: rollout/not_found: no rollout named ghost' },
    { args: ['get', 'rollout', 'ghost', ...shop], stderr: 'error: rollout/not_found: ' },
    { args: ['history', 'ghost', ...shop], stderr: 'error: rollout/not_found: ' },
    { args: ['promote', 'ghost', ...shop], stderr: 'error: rollout/not_found: ' },
  ])('exits 3 for an unknown rollout: $args', async ({ args, stderr }) => {
    const result = await runCli(args, as('deployer'));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(stderr);
  });

  it('asks for --namespace when the name alone is ambiguous', async () => {
    await runCli(['apply', '-f', '-', '--cluster', 'staging', '--namespace', 'other'], {
      ...as('deployer'),
      stdin: toYaml(canaryRollout('cart', 'shop/cart:1')),
    });
    const result = await runCli(['get', 'rollout', 'cart'], as('viewer'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'error: 2 rollouts are named cart: pass --cluster and --namespace\n  --cluster staging --namespace other\n  --cluster staging --namespace shop',
    );
  });
});

describe('authentication', () => {
  it('exits 4 for a token the API does not know, saying where the token came from', async () => {
    const result = await runCli(['list', 'rollouts'], as('viewer', 'not-a-real-token'));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe('error: auth/unauthenticated: the token is unknown or revoked\n  the token came from FLOTILLA_TOKEN\n');
  });

  it('exits 4 when the role may not operate rollouts', async () => {
    const result = await runCli(['promote', 'checkout', ...shop], as('viewer'));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^error: auth\/forbidden: /);
  });

  it('reads the token from the config file and the demo token file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'flotilla-home-'));
    writeFileSync(join(home, 'config.yaml'), `server: ${api.url}\ntokenFile: viewer.token\n`);
    writeFileSync(join(home, 'viewer.token'), `${org.tokens.viewer}\n`);
    const fromConfig = await runCli(['clusters', '-o', 'json'], { environment: { FLOTILLA_CONFIG: join(home, 'config.yaml') } });
    expect(fromConfig.exitCode).toBe(0);

    const project = folderWith({});
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(project, '.flotilla'));
    mkdirSync(join(project, 'service'));
    writeFileSync(join(project, '.flotilla', 'token'), `${org.tokens.viewer}\n`);
    // The demo's token goes only to the address the demo recorded beside it.
    writeFileSync(join(project, '.flotilla', 'server'), `${api.url}\n`);
    const fromDemo = await runCli(['clusters', '-o', 'json'], { cwd: join(project, 'service') });
    expect(fromDemo.exitCode).toBe(0);
    expect(JSON.parse(fromDemo.stdout)).toEqual(JSON.parse(fromConfig.stdout));
  });
});

describe('operations', () => {
  it.concurrent.each([
    { args: ['set', 'image', 'cart', 'cart=shop/cart:2'], type: 'setImage', parameters: { container: 'cart', image: 'shop/cart:2' } },
    { args: ['promote', 'cart', '--full'], type: 'promote', parameters: { full: true } },
    { args: ['promote', 'cart'], type: 'promote', parameters: { full: false } },
    { args: ['pause', 'cart'], type: 'pause', parameters: {} },
    { args: ['resume', 'cart'], type: 'resume', parameters: {} },
    { args: ['abort', 'cart', '--reason', 'error rate'], type: 'abort', parameters: {} },
    { args: ['retry', 'cart'], type: 'retry', parameters: {} },
    { args: ['restart', 'cart'], type: 'restart', parameters: {} },
  ])('$type asks the engine and prints the operation as JSON', async ({ args, type, parameters }) => {
    const result = await runCli([...args, ...shop, '--wait', '0', '-o', 'json'], as('deployer'));
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({
      type,
      state: 'Pending',
      requestedBy: 'token:deployer',
      parameters: expect.objectContaining(parameters) as unknown,
    });
  });

  it("prints a readable line, and the API's refusal with its field", async () => {
    const done = await runCli(['set', 'image', 'checkout', 'checkout=shop/checkout:2', ...shop, '--wait', '0'], as('deployer'));
    expect(done.stdout).toMatch(
      /^rollout staging\/shop\/checkout: setImage \(image=shop\/checkout:2, container=checkout\) requested, operation \S+ is Pending\n$/,
    );
    const refused = await runCli(['set', 'image', 'checkout', 'sidecar=x:1', ...shop], as('deployer'));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      'error: rollout/operation_refused: the pod template has no container named sidecar\n  rollout/operation_refused: container: no such container; the template has checkout\n',
    );
    const undo = await runCli(['undo', 'checkout', '--to-revision', '7', ...shop], as('deployer'));
    expect(undo.exitCode).toBe(3);
    expect(undo.stderr).toMatch(/^error: rollout\/revision_not_found: .*\n  rollout\/revision_not_found: toRevision: /);
  });
});

describe('audit and history', () => {
  it('shows audit events narrowed by actor, action and time', async () => {
    const events = JSON.parse(
      (await runCli(['audit', '--actor', 'token:deployer', '--action', 'rollout.', '--since', '1h', '-o', 'json'], as('viewer'))).stdout,
    ) as { actor: string; action: string }[];
    expect(events.length).toBeGreaterThan(3);
    expect(new Set(events.map((event) => event.actor))).toEqual(new Set(['token:deployer']));
    expect(events.every((event) => event.action.startsWith('rollout.'))).toBe(true);
    expect(events.map((event) => event.action)).toContain('rollout.promote');

    const table = await runCli(['audit', '--action', 'rollout.abort', '--limit', '1'], as('viewer'));
    expect(table.stdout).toMatch(
      /^AGE\s+ACTOR\s+ACTION\s+TARGET\s+REASON\n\d+s\s+token:deployer\s+rollout\.abort\s+\S+ staging\/shop\/cart\s+error rate\n$/,
    );
    const future = await runCli(['audit', '--since', '2999-01-01T00:00:00Z'], as('viewer'));
    expect(future.stdout).toBe('No audit events match.\n');
  });

  it('says when a rollout has no revisions yet', async () => {
    const result = await runCli(['history', 'checkout', ...shop], as('viewer'));
    expect(result).toMatchObject({ exitCode: 0, stdout: 'No revisions yet: the rollout engine has not reconciled it.\n' });
  });
});
