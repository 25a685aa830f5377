import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';
import { isolatedDirectory, runCli } from '../support/cli/cli-process.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

/** A user of the API with a config file of their own, empty at first. */
function user() {
  const configPath = join(isolatedDirectory(), 'config.yaml');
  const environment = { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens.deployer, FLOTILLA_CONFIG: configPath };
  return { configPath, run: (args: string[]) => runCli(args, { environment }) };
}

beforeAll(async () => {
  const admin = { environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens.admin } };
  expect(await runCli(['clusters', 'register', 'production'], admin)).toMatchObject({ exitCode: 0 });
  for (const cluster of ['staging', 'production']) {
    const applied = await runCli(['apply', '-f', '-', '--cluster', cluster, '--namespace', 'shop'], {
      ...admin,
      stdin: toYaml(canaryRollout('checkout', 'shop/checkout:1')),
    });
    expect(applied).toMatchObject({ exitCode: 0 });
  }
});

describe('contexts', () => {
  it('without a context, a name in two clusters is refused with both listed (exit 2)', async () => {
    const result = await user().run(['history', 'checkout']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('2 rollouts are named checkout');
    expect(result.stderr).toContain('--cluster staging --namespace shop');
    expect(result.stderr).toContain('--cluster production --namespace shop');
  });

  it('set-context, use-context, current-context and get-contexts keep contexts in the config file', async () => {
    const { run, configPath } = user();
    expect(await run(['config', 'current-context'])).toMatchObject({ exitCode: 3, stderr: 'error: current-context is not set\n' });
    expect(await run(['config', 'set-context', 'prod', '--cluster', 'production', '--namespace', 'shop'])).toMatchObject({
      exitCode: 0,
      stdout: 'context prod set: cluster production, namespace shop\n',
    });
    expect(await run(['config', 'set-context', 'stage', '--cluster', 'staging'])).toMatchObject({ exitCode: 0 });
    expect(await run(['config', 'use-context', 'prod'])).toMatchObject({ exitCode: 0, stdout: 'Switched to context "prod".\n' });
    expect(await run(['config', 'current-context'])).toMatchObject({ exitCode: 0, stdout: 'prod\n' });
    expect((await run(['config', 'get-contexts'])).stdout.split('\n').slice(0, 3)).toEqual([
      'CURRENT   NAME    CLUSTER      NAMESPACE   SERVER',
      '*         prod    production   shop',
      '          stage   staging',
    ]);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
  });

  it('commands on a rollout given no --cluster go to the current context, and --cluster wins over it', async () => {
    const { run, configPath } = user();
    const contexts = 'contexts:\n  - { name: prod, cluster: production, namespace: shop }\n  - { name: stage, cluster: staging }\n';
    writeFileSync(configPath, `current-context: prod\n${contexts}`);
    const tree = await run(['get', 'ro', 'checkout', '-o', 'json']);
    expect(tree.exitCode).toBe(0);
    expect(tree.stdout).toContain('"cluster": "production"');
    const elsewhere = await run(['get', 'rollout', 'checkout', '--cluster', 'staging', '-o', 'json']);
    expect(elsewhere.stdout).toContain('"cluster": "staging"');

    writeFileSync(configPath, `current-context: stage\n${contexts}`);
    expect((await run(['get', 'rollout', 'checkout', '-o', 'json'])).stdout).toContain('"cluster": "staging"');
  });

  it('keeps what else the config file holds, and refuses a context that does not exist (exit 3)', async () => {
    const { run, configPath } = user();
    writeFileSync(configPath, '# my settings\nserver: http://127.0.0.1:3000\n');
    expect(await run(['config', 'set-context', 'stage', '--cluster', 'staging'])).toMatchObject({ exitCode: 0 });
    expect(readFileSync(configPath, 'utf8')).toMatch(/^# my settings\nserver: http:\/\/127\.0\.0\.1:3000\ncontexts:\n {2}- name: stage\n/);
    const missing = await run(['config', 'use-context', 'nope']);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain('error: no context named nope');
    expect(await run(['config', 'set-context', 'bare'])).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('needs --cluster') as unknown,
    });
  });
});
