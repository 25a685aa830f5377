import { beforeAll, describe, expect, it } from 'vitest';
import { canaryRollout, canarySpec, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';
import { runCli, startCli } from '../support/cli/cli-process.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const as = (role: 'deployer' | 'viewer') => ({ environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens[role] } });

async function apply(namespace: string, name: string, replicas = 5): Promise<void> {
  const rollout = canaryRollout(name, `shop/${name}:1`);
  canarySpec(rollout).replicas = replicas;
  const applied = await runCli(['apply', '-f', '-', '--cluster', 'staging', '--namespace', namespace], {
    ...as('deployer'),
    stdin: toYaml(rollout),
  });
  expect(applied).toMatchObject({ exitCode: 0, stderr: '' });
}

const names = async (...args: string[]): Promise<string[]> =>
  (JSON.parse((await runCli(['list', 'rollouts', ...args, '-o', 'json'], as('viewer'))).stdout) as { namespace: string; name: string }[])
    .map((rollout) => `${rollout.namespace}/${rollout.name}`)
    .sort();

beforeAll(async () => {
  await apply('shop', 'checkout');
  await apply('shop', 'cart');
  await apply('tools', 'checkout');
});

describe('list rollouts', () => {
  it('narrows to one name with --name, and lists every namespace with -A', async () => {
    const [byName, inShop, everywhere, everywhereOfCluster] = await Promise.all([
      names('--name', 'checkout'),
      names('-n', 'shop'),
      names('-A'),
      names('--all-namespaces', '--cluster', 'staging', '--name', 'cart'),
    ]);
    expect(byName).toEqual(['shop/checkout', 'tools/checkout']);
    expect(inShop).toEqual(['shop/cart', 'shop/checkout']);
    expect(everywhere).toEqual(['shop/cart', 'shop/checkout', 'tools/checkout']);
    expect(everywhereOfCluster).toEqual(['shop/cart']);
  });

  it.each([
    { args: ['-A', '-n', 'shop'], stderr: 'error: --all-namespaces and --namespace exclude each other' },
    { args: ['--timestamps'], stderr: 'error: --timestamps needs --watch' },
    { args: ['--watch', '-o', 'json'], stderr: 'error: --watch prints a line per change and takes no -o' },
  ])('refuses $args with exit 2', async ({ args, stderr }) => {
    const result = await runCli(['list', 'rollouts', ...args], as('viewer'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(stderr);
  });

  it('with --watch --timestamps prints the table, then a stamped line for each rollout that changes', async () => {
    const watching = startCli(['list', 'rollouts', '-n', 'tools', '--watch', '--timestamps', '--timeout', '20s'], as('viewer'));
    await expect.poll(() => watching.stdout(), { timeout: 15_000 }).toContain('tools');
    await apply('tools', 'checkout', 3);
    await expect.poll(() => watching.stdout().trimEnd().split('\n').length, { timeout: 15_000 }).toBe(3);
    watching.child.kill('SIGINT');
    const result = await watching.finished;
    expect(result.exitCode).toBe(0);
    const [header, first, changed] = result.stdout.trimEnd().split('\n');
    const stamp = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;
    expect(header).toMatch(
      /^TIMESTAMP\s+CLUSTER\s+NAMESPACE\s+NAME\s+STRATEGY\s+STATUS\s+STEP\s+SET-WEIGHT\s+READY\s+DESIRED\s+UP-TO-DATE\s+AVAILABLE$/,
    );
    expect(first).toMatch(
      new RegExp(`^${stamp}\\s+staging\\s+tools\\s+checkout\\s+Canary\\s+◌ Pending\\s+0/6\\s+20\\s+0/0\\s+5\\s+0\\s+0$`),
    );
    expect(changed).toMatch(
      new RegExp(`^${stamp}\\s+staging\\s+tools\\s+checkout\\s+Canary\\s+◌ Pending\\s+0/6\\s+20\\s+0/0\\s+3\\s+0\\s+0$`),
    );
  });
});

describe('restart --in', () => {
  it('asks for the restart at now + the duration, as Argo sets restartAt, and the audit keeps the time', async () => {
    const before = Date.now();
    const result = await runCli(['restart', 'cart', '-n', 'shop', '--in', '30s', '--wait', '0', '-o', 'json'], as('deployer'));
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    const operation = JSON.parse(result.stdout) as { type: string; parameters: { at: string } };
    expect(operation.type).toBe('restart');
    const delay = Date.parse(operation.parameters.at) - before;
    expect(delay).toBeGreaterThanOrEqual(30_000);
    expect(delay).toBeLessThan(90_000);
    const audit = await runCli(['audit', '--action', 'rollout.restart', '-o', 'json'], as('viewer'));
    expect(JSON.parse(audit.stdout)).toMatchObject([{ after: { operation: 'restart', at: operation.parameters.at } }]);
  });

  it.each([
    { delay: '-5s', problem: 'input/invalid: in: must not be negative, not "-5s"' },
    { delay: '200h', problem: 'input/invalid: in: must be at most 168h, not "200h"' },
  ])('refuses --in $delay with exit 1, naming the field', async ({ delay, problem }) => {
    const result = await runCli(['restart', 'cart', '-n', 'shop', `--in=${delay}`, '--wait', '0'], as('deployer'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`\n  ${problem}\n`);
  });
});
