import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

describe('text from the API', () => {
  // An OSC 52 clipboard write, a CSI erase-line, an SGR that hides what follows, a C1 CSI (U+009B) and a line feed
  // that would add a row of its own.
  const hostile = 'fine\u001b]52;c;aGFja2Vk\u0007 \u001b[2K\u001b[8mhidden \u009b31mred\nfake row';
  const shown = String.raw`fine\x1b]52;c;aGFja2Vk\x07 \x1b[2K\x1b[8mhidden \x9b31mred\x0afake row`;
  const rawControl = /\p{Cc}/u;
  const withoutLineFeeds = (text: string): string => text.replace(/\n/g, '');

  it('shows the control characters of an audit reason, its columns aligned, and prints -o json as the API sent it', async () => {
    const paused = await runCli(['pause', 'cart', '-n', 'shop', '--wait', '0', '--reason', hostile], as('deployer'));
    expect(paused.exitCode).toBe(0);
    const table = await runCli(['audit', '--action', 'rollout.pause', '-o', 'wide'], as('viewer'));
    expect(table).toMatchObject({ exitCode: 0, stderr: '' });
    const [header = '', row = '', ...more] = table.stdout.trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(row).not.toMatch(rawControl);
    expect(row).toContain(`${shown}   `);
    const [sequenceAt, timeAt] = [header.indexOf('SEQUENCE'), header.indexOf('TIME')];
    expect(row.slice(0, sequenceAt)).toMatch(/ {3}$/);
    expect(row.slice(sequenceAt, timeAt)).toMatch(/^\d+ +$/);
    expect(row.slice(timeAt)).toMatch(/^\d{4}-\d\d-\d\dT/);

    const json = await runCli(['audit', '--action', 'rollout.pause', '-o', 'json'], as('viewer'));
    expect(json.stdout).toContain(JSON.stringify(hostile));
    expect((JSON.parse(json.stdout) as { reason: string }[]).map((event) => event.reason)).toEqual([hostile]);
    // The chain is hashed over the reason as recorded, not as shown.
    expect(await runCli(['audit', 'verify'], as('viewer'))).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('shows the control characters of a rollout message in list and get, and prints -o json as the API sent it', async () => {
    await api.database.$executeRawUnsafe(
      'UPDATE "Rollout" SET message = $1 WHERE "organizationId" = $2::uuid AND namespace = $3 AND name = $4',
      hostile,
      org.id,
      'tools',
      'checkout',
    );
    const listed = await runCli(['list', 'rollouts', '-n', 'tools', '-o', 'wide'], as('viewer'));
    expect(listed).toMatchObject({ exitCode: 0, stderr: '' });
    expect(withoutLineFeeds(listed.stdout)).not.toMatch(rawControl);
    expect(listed.stdout).toMatch(new RegExp(`^staging +tools +checkout +Canary .* ${escapeRegExp(shown)}$`, 'm'));

    const tree = await runCli(['get', 'rollout', 'checkout', '-n', 'tools'], as('viewer'));
    expect(tree).toMatchObject({ exitCode: 0, stderr: '' });
    expect(withoutLineFeeds(tree.stdout)).not.toMatch(rawControl);
    expect(tree.stdout).toContain(`\nMessage:         ${shown}\nStrategy:        Canary\n`);

    const json = await runCli(['list', 'rollouts', '-n', 'tools', '-o', 'json'], as('viewer'));
    expect(json.stdout).toContain(JSON.stringify(hostile));
    expect((JSON.parse(json.stdout) as { message: string }[]).map((rollout) => rollout.message)).toEqual([hostile]);
  });
});

describe('list rollouts --watch', () => {
  /** The GraphQL queries the API has answered so far. */
  async function queriesAnswered(): Promise<number> {
    const metrics = await (await fetch(`${api.metricsUrl}/metrics`)).text();
    return [...metrics.matchAll(/^flotilla_graphql_operations_total\{[^}]*type="query"[^}]*\} (\d+)$/gm)].reduce(
      (sum, [, count]) => sum + Number(count),
      0,
    );
  }

  it('with -A and no context, reads every rollout once more after a burst of changes, not once for each', async () => {
    const watching = startCli(['list', 'rollouts', '-A', '--watch', '--timeout', '20s'], as('viewer'));
    await expect.poll(() => watching.stdout(), { timeout: 15_000 }).toContain('tools');
    // The watch's first reading follows the table, and its subscription opens meanwhile.
    await sleep(2_000);
    const before = await queriesAnswered();
    const rollout = canaryRollout('cart', 'shop/cart:1');
    const applied = [6, 7, 6, 7].map(async (replicas, index) => {
      await sleep(150 * index);
      canarySpec(rollout).replicas = replicas;
      await graphqlData(
        api.url,
        org.tokens.deployer,
        'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { action } }',
        { yaml: toYaml(rollout) },
      );
    });
    await Promise.all(applied);
    await sleep(2_500);
    const readings = (await queriesAnswered()) - before;
    watching.child.kill('SIGINT');
    expect((await watching.finished).exitCode).toBe(0);
    expect(readings).toBeGreaterThanOrEqual(1);
    expect(readings).toBeLessThanOrEqual(2);
  });
});
