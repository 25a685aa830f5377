import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { runCli } from '../support/cli/cli-process.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let org: TestOrganization;
let worker: ChildProcess;
let receiver: Server;
const received: { path: string; body: string }[] = [];
const configPath = join(mkdtempSync(join(tmpdir(), 'flotilla-notify-')), 'config.yaml');

const cli = (args: string[], token = org.tokens.deployer) =>
  runCli(args, { environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: token, FLOTILLA_CONFIG: configPath } });

const PURPLE = "rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'";

function configMap(url: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argo-rollouts-notification-configmap' },
    data: {
      'service.webhook.receiver': `url: ${url}\n`,
      'template.deployed': [
        'message: Rollout {{.rollout.metadata.name}} runs {{(index .rollout.spec.template.spec.containers 0).image}}.',
        'webhook:',
        '  receiver:',
        '    method: POST',
        '    path: /deployed',
        '    body: \'{"rollout":"{{.rollout.metadata.name}}"}\'',
        '',
      ].join('\n'),
      'trigger.on-purple': `- send: [deployed]\n  when: ${PURPLE}\n- send: [rollout-aborted]\n  when: rollout.spec.replicas > 10\n`,
    },
  };
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  api = await startTestApi();
  org = await api.organization({ cluster: 'staging' });
  worker = startNodeProcess('apps/worker/dist/main.js', { ...api.environment, SWEEP_INTERVAL_MS: '500', NOTIFICATION_ALLOW: '127.0.0.1' });
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await graphqlData(api.url, org.tokens.admin, 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }', {
    yaml: toYaml(configMap(url)),
  });
  const shop = ['--cluster', 'staging', '--namespace', 'shop'];
  expect(
    await runCli(['apply', '-f', '-', ...shop], {
      environment: { FLOTILLA_SERVER: api.url, FLOTILLA_TOKEN: org.tokens.deployer },
      stdin: toYaml(canaryRollout('guestbook', 'argoproj/rollouts-demo:purple')),
    }),
  ).toMatchObject({ exitCode: 0 });
  expect(await cli(['config', 'set-context', 'shop', ...shop])).toMatchObject({ exitCode: 0 });
  expect(await cli(['config', 'use-context', 'shop'])).toMatchObject({ exitCode: 0 });
});
afterAll(async () => {
  await stopProcess(worker);
  await api.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe('flotilla notifications, as Argo has them', () => {
  it('template get lists NAME and PREVIEW in the current context, shows one as YAML, and ends NotFound for an unknown one', async () => {
    const listed = await cli(['notifications', 'template', 'get']);
    expect(listed).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME {3,}PREVIEW$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^deployed {3,}Rollout \{\{\.rollout\.metadata\.name\}\} runs \{\{\(index \.rollout\.\.\.$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^rollout-completed {3,}Rollout \{\{\.rollout\.metadata\.name\}\} has been completed\.$/),
    );

    const one = await cli(['notifications', 'template', 'get', 'deployed', '-o', 'yaml']);
    expect(parse(one.stdout)).toEqual([
      {
        name: 'deployed',
        layer: 'Organization',
        message: 'Rollout {{.rollout.metadata.name}} runs {{(index .rollout.spec.template.spec.containers 0).image}}.',
        title: null,
        fields: { webhook: { receiver: { method: 'POST', path: '/deployed', body: '{"rollout":"{{.rollout.metadata.name}}"}' } } },
      },
    ]);

    const absent = await cli(['notifications', 'template', 'get', 'absent']);
    expect(absent).toMatchObject({ exitCode: 3, stdout: '' });
    expect(absent.stderr).toContain('notification/template_not_found: no template named absent in staging/shop');
  });

  it('trigger get lists NAME, TEMPLATE and CONDITION; trigger run prints each condition with its result', async () => {
    const triggers = await cli(['notifications', 'trigger', 'get', 'on-purple']);
    expect(triggers.exitCode).toBe(0);
    expect(triggers.stdout.split('\n')[0]).toMatch(/^NAME {3,}TEMPLATE {3,}CONDITION$/);
    expect(triggers.stdout).toContain(`on-purple   deployed, rollout-aborted   ${PURPLE}, rollout.spec.replicas > 10\n`);

    const run = await cli(['notifications', 'trigger', 'run', 'on-purple', 'guestbook']);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout.split('\n').map((line) => line.split(/ {3,}/))).toEqual([
      ['CONDITION', 'RESULT'],
      [PURPLE, 'true'],
      ['rollout.spec.replicas > 10', 'false'],
      [''],
    ]);
    const absent = await cli(['notifications', 'trigger', 'run', 'on-absent', 'guestbook']);
    expect(absent.exitCode).toBe(3);
    expect(absent.stderr).toContain('notification/trigger_not_found');
  });

  it("template notify prints Argo's rollout-completed rendered over the rollout", async () => {
    const printed = await cli(['notifications', 'template', 'notify', 'rollout-completed', 'guestbook', '-o', 'json']);
    expect(printed.exitCode).toBe(0);
    const rendering = JSON.parse(printed.stdout) as { rollout: string; message: string; fields: { slack: { attachments: string } } };
    expect(rendering).toMatchObject({ rollout: 'staging/shop/guestbook', message: 'Rollout guestbook has been completed.' });
    expect(JSON.parse(rendering.fields.slack.attachments)).toEqual([
      {
        title: 'guestbook',
        color: '#18be52',
        fields: [
          { title: 'Strategy', value: 'Canary', short: true },
          { title: 'guestbook', value: 'argoproj/rollouts-demo:purple', short: true },
        ],
      },
    ]);
    const text = await cli(['notifications', 'template', 'notify', 'deployed', 'guestbook']);
    expect(text.stdout).toBe(
      'message: Rollout guestbook runs argoproj/rollouts-demo:purple.\nwebhook:\n  receiver:\n    method: POST\n    path: /deployed\n    body: \'{"rollout":"guestbook"}\'\n',
    );
  });

  it('template notify --recipient stores the notification and the worker delivers it; a viewer may not send', async () => {
    const sent = await cli(['notifications', 'template', 'notify', 'deployed', 'guestbook', '--recipient', 'receiver']);
    expect(sent).toMatchObject({ exitCode: 0, stderr: '' });
    expect(sent.stdout).toMatch(/^RECIPIENT {3,}STATE {3,}DELIVERY\nreceiver {3,}queued {3,}[0-9a-f-]{36}\n$/);
    await eventually(() => received.some((request) => request.path === '/deployed'), 20_000, 'the webhook to receive the notification');
    expect(received).toEqual([{ path: '/deployed', body: '{"rollout":"guestbook"}' }]);

    const refused = await cli(
      ['notifications', 'template', 'notify', 'deployed', 'guestbook', '--recipient', 'receiver'],
      org.tokens.viewer,
    );
    expect(refused.exitCode).toBe(4);
    expect(await cli(['notifications', 'template', 'notify', 'deployed', 'guestbook', '--recipient', ':x'])).toMatchObject({ exitCode: 2 });
    const unknown = await cli(['notifications', 'template', 'notify', 'deployed', 'guestbook', '--recipient', 'teams:general']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('recipients[0].service: service "teams" is not configured');
  });
});
