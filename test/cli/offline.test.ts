import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { canaryRollout, canarySpec, toYaml } from '../support/manifests.js';
import { hasAnsi, hasScript, runCli, runCliOnTerminal } from '../support/cli/cli-process.js';

const examples = fileURLToPath(new URL('../../libs/argo-spec/examples', import.meta.url));

function manifestFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-lint-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

const badWeight = () => {
  const rollout = canaryRollout('bad');
  canarySpec(rollout).strategy.canary.steps[0].setWeight = 140;
  return rollout;
};

describe('lint, offline with no server', () => {
  it('passes the examples of the Argo documentation, a folder at a time', async () => {
    const result = await runCli(['lint', '-f', examples]);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/✔ \d+ documents in \d+ files: no problems/);
  });

  it('prints every problem as file:doc[index] path: reason and exits 1', async () => {
    const folder = manifestFolder({ 'good.yaml': toYaml(canaryRollout('good')), 'bad.yaml': toYaml(canaryRollout('fine'), badWeight()) });
    const result = await runCli(['lint', '-f', join(folder, 'good.yaml'), '-f', join(folder, 'bad.yaml')]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `${join(folder, 'bad.yaml')}:doc[1] spec.strategy.canary.steps[0].setWeight: must be between 0 and 100, not 140`,
    ]);
    expect(result.stderr).toBe('1 problem found\n');
    expect(hasAnsi(result.stdout)).toBe(false);
  });

  it('reads stdin for -f -, and reports references to templates it was not given', async () => {
    const rollout = canaryRollout('analysed');
    canarySpec(rollout).strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'success-rate' }] } }];
    const alone = await runCli(['lint', '-f', '-'], { stdin: stringify(rollout) });
    expect(alone.exitCode).toBe(1);
    expect(alone.stdout).toContain(
      '<stdin>:doc[0] spec.strategy.canary.steps[1].analysis.templates[0].templateName: no AnalysisTemplate in namespace "default" named "success-rate"',
    );
    const assumed = await runCli(['lint', '-f', '-', '--template', 'success-rate'], { stdin: stringify(rollout) });
    expect(assumed).toMatchObject({ exitCode: 0 });
  });

  it('prints problems as JSON with -o json', async () => {
    const result = await runCli(['lint', '-f', '-', '-o', 'json'], { stdin: toYaml(badWeight()) });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        documentIndex: 0,
        document: '<stdin>:doc[0]',
        path: 'spec.strategy.canary.steps[0].setWeight',
        message: 'must be between 0 and 100, not 140',
      },
    ]);
  });

  it("passes over other kinds with a note, and checks each cluster's folder on its own", async () => {
    const demo = fileURLToPath(new URL('../../deploy/demo/guestbook', import.meta.url));
    const result = await runCli(['lint', '-f', demo]);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain(
      `${join(demo, 'staging', 'cluster.yaml')}:doc[1] Service/guestbook-stable: skipped, not a kind Flotilla reads`,
    );
    expect(result.stdout).toContain(`${join(demo, 'staging', 'cluster.yaml')}:doc[3] Ingress/guestbook: skipped`);
    expect(result.stdout).toMatch(/✔ 5 documents in 6 files: no problems\n$/);
  });

  it('names a file that does not exist', async () => {
    expect(await runCli(['lint', '-f', '/nonexistent.yaml'])).toMatchObject({
      exitCode: 1,
      stderr: 'error: /nonexistent.yaml: no such file or folder\n',
    });
  });
});

describe.concurrent('usage', () => {
  it('documents commands and exit codes in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const word of [
      'get rollout NAME',
      'set image NAME CONTAINER=IMAGE',
      'lint -f PATH...',
      '4  authentication',
      '5  status: the rollout is Degraded',
      'fleet release NAME ',
      'fleet skip NAME CLUSTER ',
      'clusters label CLUSTER KEY=VALUE|KEY-...',
    ])
      expect(result.stdout).toContain(word);
    const promote = await runCli(['promote', '--help']);
    expect(promote.stdout).toContain('Usage: flotilla promote NAME [--full]');
    expect(promote.stdout).toContain('--full');
    expect((await runCli(['get', 'ro', '--help'])).stdout).toContain('Usage: flotilla get rollout|ro NAME');
    expect(await runCli(['help', 'status'])).toMatchObject({
      exitCode: 0,
      stdout: expect.stringContaining('Usage: flotilla status NAME') as unknown,
    });
  });

  it.each([
    { args: [], stderr: 'Usage: flotilla [global flags] COMMAND' },
    { args: ['deploy'], stderr: 'error: unknown command "deploy"' },
    { args: ['get', 'rollout'], stderr: 'error: get rollout needs the rollout NAME\nRun "flotilla get rollout --help" for usage.' },
    { args: ['promote', 'a', 'b'], stderr: 'error: promote does not take "b"' },
    { args: ['set', 'image', 'checkout', 'shop:2'], stderr: 'error: set image takes CONTAINER=IMAGE, not "shop:2"' },
    { args: ['set', 'image', 'checkout', 'checkout=a b;rm -rf /'], stderr: 'error: the image "a b;rm -rf /" is not an image reference' },
    { args: ['list', 'rollouts', '--phase'], stderr: 'error: --phase needs a value (PHASE)' },
    { args: ['clusters', '-o', 'table'], stderr: 'error: clusters does not print -o table: use json, yaml, wide' },
    { args: ['status', 'x', '--timeout', 'soon'], stderr: 'error: --timeout takes a duration such as 90s or 5m, not "soon"' },
    { args: ['undo', 'x', '--to-revision', '0'], stderr: 'error: --to-revision takes a whole number of at least 1, not "0"' },
    { args: ['completion', 'tcsh'], stderr: 'error: completion knows bash, zsh, fish, powershell, not "tcsh"' },
    {
      args: ['get', 'ro', 'x', '--clusterr', 'a'],
      stderr: 'error: unknown flag --clusterr for get rollout\nRun "flotilla get rollout --help"',
    },
    { args: ['history', 'x', '--watch'], stderr: 'error: unknown flag --watch for history' },
    { args: ['version', '--cluster', 'staging'], stderr: 'error: unknown flag --cluster for version' },
    { args: ['get', 'nothing'], stderr: 'error: unknown command "get nothing"' },
    { args: ['list', 'rollouts', '-n', 'a', '-n', 'b'], stderr: 'error: --namespace may be given only once' },
    {
      args: ['fleet', 'release', 'checkout'],
      stderr: 'error: fleet release takes exactly one of --image CONTAINER=IMAGE and --template-file FILE',
    },
    { args: ['fleet', 'release', 'checkout', '--image', 'shop:2'], stderr: 'error: --image takes CONTAINER=IMAGE, not "shop:2"' },
    { args: ['fleet', 'get', 'checkout', '--release', '0'], stderr: 'error: --release takes a whole number of at least 1, not "0"' },
    { args: ['fleet', 'skip', 'checkout'], stderr: 'error: fleet skip needs the member CLUSTER' },
    { args: ['clusters', 'label', 'staging'], stderr: 'error: clusters label needs at least one key=value or key-' },
    { args: ['clusters', 'label', 'staging', 'tier=a', 'tier-'], stderr: 'error: the label tier cannot be both set and removed' },
  ])('exits 2 for flotilla $args', async ({ args, stderr }) => {
    const result = await runCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(stderr);
  });

  it('exits 4 and says where a token can come from when there is none', async () => {
    const result = await runCli(['clusters']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('error: no API token: pass --token, set FLOTILLA_TOKEN');
  });

  it('exits 1 and names the server when it cannot be reached', async () => {
    const result = await runCli(['clusters', '--server', 'http://127.0.0.1:9', '--token', 'x']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: cannot reach the API at http://127.0.0.1:9');
  });
});

describe.concurrent('version and dashboard', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../apps/cli/package.json', import.meta.url), 'utf8')) as { version: string };

  it.each([['version'], ['--version']])('flotilla %s prints the version of the package', async (word) => {
    expect(await runCli([word])).toMatchObject({ exitCode: 0, stdout: `flotilla: v${version}\n` });
  });

  it('dashboard prints the address of the API it would call, opening nothing without a display', async () => {
    const result = await runCli(['dashboard', '--server', 'http://127.0.0.1:9/graphql'], {
      environment: { DISPLAY: '', WAYLAND_DISPLAY: '' },
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'http://127.0.0.1:9/\n', stderr: '' });
  });
});

describe('completion', () => {
  const complete = (script: string, words: string[]): string[] => {
    const line = `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _flotilla; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', `${script}\n${line}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  };

  it('completes commands, second words and flags in bash', async () => {
    const { stdout: script, exitCode } = await runCli(['completion', 'bash']);
    expect(exitCode).toBe(0);
    expect(complete(script, ['flotilla', 'pro'])).toEqual(['promote']);
    expect(complete(script, ['flotilla', 'get', ''])).toEqual(['rollout', 'ro', 'rollouts', 'experiment', 'exp', 'experiments']);
    expect(complete(script, ['flotilla', 'get', 'ro', 'x', '--wa'])).toEqual(['--watch']);
    expect(complete(script, ['flotilla', 'completion', 'f'])).toEqual(['fish']);
    expect(complete(script, ['flotilla', 'promote', 'checkout', '--fu'])).toEqual(['--full']);
    expect(complete(script, ['flotilla', 'get', 'rollout', 'x', '--wa'])).toEqual(['--watch']);
    expect(complete(script, ['flotilla', 'list', 'rollouts', '-o', 'y'])).toEqual(['yaml']);
    expect(complete(script, ['flotilla', 'fleet', 're'])).toEqual(['release', 'resume', 'retry', 'retry-member']);
    expect(complete(script, ['flotilla', 'fleet', 'release', 'checkout', '--te'])).toEqual(['--template-file']);
    expect(complete(script, ['flotilla', 'clusters', 'label', 'staging', '--ov'])).toEqual(['--overwrite']);
    expect(complete(script, ['flotilla', 'break-glass', ''])).toEqual(['list', 'confirm', 'revoke']);
    expect(complete(script, ['flotilla', 'break-glass', '--du'])).toEqual(['--duration']);
    expect(complete(script, ['flotilla', 'freeze', ''])).toEqual(['list', 'get']);
  });

  it('prints a zsh script that loads the same function through bashcompinit', async () => {
    const { stdout, exitCode } = await runCli(['completion', 'zsh']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^#compdef flotilla\n/);
    expect(stdout).toContain('bashcompinit');
    expect(stdout).toContain('complete -o default -F _flotilla flotilla');
  });

  it('prints fish and PowerShell scripts from the same command tree', async () => {
    const fish = await runCli(['completion', 'fish']);
    expect(fish.exitCode).toBe(0);
    expect(fish.stdout).toContain("complete -c flotilla -f -a '(__flotilla_complete)'");
    expect(fish.stdout).toMatch(/case 'get ro'\n\s+printf '%s\\n' --cluster --namespace -n --watch -w/);
    const powershell = await runCli(['completion', 'powershell']);
    expect(powershell.exitCode).toBe(0);
    expect(powershell.stdout).toContain('Register-ArgumentCompleter -Native -CommandName flotilla');
    expect(powershell.stdout).toContain("'get' = @('rollout', 'ro', 'rollouts', 'experiment', 'exp', 'experiments')");
  });
});

describe.runIf(hasScript())('colours', () => {
  it('colours a terminal unless NO_COLOR is set', () => {
    expect(hasAnsi(runCliOnTerminal(['lint', '-f', examples]))).toBe(true);
    expect(hasAnsi(runCliOnTerminal(['lint', '-f', examples], { NO_COLOR: '1' }))).toBe(false);
  });
});
