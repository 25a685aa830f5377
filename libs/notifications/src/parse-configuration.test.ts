import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NotificationConfiguration } from './configuration-types.js';
import { ARGO_DEFAULT_CONFIG_MAP_DATA } from './default-catalog.js';
import { checkConfigurationReferences, effectiveConfiguration, mergeConfigurations } from './merge-configurations.js';
import { parseNotificationConfigMap, parseNotificationSecret } from './parse-configuration.js';
import { resolveSecretReferences } from './secret-references.js';
import { destinationsByTrigger, readAnnotationSubscriptions } from './subscriptions.js';

/** ConfigMaps exactly as Argo's documentation and examples print them. */
const ARGO_DOCUMENTED_CONFIG_MAPS = [
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: argo-rollouts-notification-configmap
data:
  service.slack: |
    token: $slack-token
  ## Custom Trigger
  trigger.on-purple: |
    - send: [my-purple-template]
      when: rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'
  template.my-purple-template: |
    message: |
      Rollout {{.rollout.metadata.name}} has purple image
    slack:
        attachments: |
            [{
              "title": "{{ .rollout.metadata.name}}",
              "color": "#800080"
            }]`,
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: argo-rollouts-notification-configmap
data:
  # detail of the templates is omitted
  # detail of the triggers is omitted
  service.slack: |
    token: $slack-token`,
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: argo-rollouts-notification-configmap
data:
  service.webhook.github: |
    url: https://api.github.com
    headers: #optional headers
    - name: Authorization
      value: token $github-token
    basicAuth: #optional username password
      username: ci
      password: $github-password
    insecureSkipVerify: true #optional bool
  template.github-commit-status: |
    webhook:
      github:
        method: POST # one of: GET, POST, PUT, PATCH. Default value: GET
        path: /repos/example/app/statuses/{{.rollout.status.currentPodHash}}
        body: |
          {"state": "success", "description": "{{.rollout.metadata.name}} rolled out"}
  trigger.on-rollout-completed: |
    - when: rollout.status.phase in ['Healthy']
      send: [github-commit-status]`,
];

const dataOf = (manifest: string): Record<string, string> => (parse(manifest) as { data: Record<string, string> }).data;

function parsed(data: Record<string, unknown>, origin: 'organization' | 'namespace' = 'organization'): NotificationConfiguration {
  const result = parseNotificationConfigMap(data, origin);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('Argo notification ConfigMaps', () => {
  it.each(ARGO_DOCUMENTED_CONFIG_MAPS.map((manifest, index) => [index, manifest]))(
    'documented example %i applies unchanged',
    (_index, manifest) => {
      const configuration = parsed(dataOf(manifest));
      expect(checkConfigurationReferences(effectiveConfiguration(configuration))).toEqual([]);
    },
  );

  it('applies Argo’s own notifications-install catalog unchanged', () => {
    const configuration = parsed(ARGO_DEFAULT_CONFIG_MAP_DATA);
    expect(Object.keys(configuration.triggers).sort()).toEqual([
      'on-analysis-run-error',
      'on-analysis-run-failed',
      'on-analysis-run-running',
      'on-rollout-aborted',
      'on-rollout-completed',
      'on-rollout-paused',
      'on-rollout-step-completed',
      'on-rollout-updated',
      'on-scaling-replica-set',
    ]);
  });

  it('names services by type, or by the name after it, and lists the Secret keys they reference', () => {
    const configuration = parsed(dataOf(ARGO_DOCUMENTED_CONFIG_MAPS[2] ?? ''), 'namespace');
    expect(configuration.services.github).toEqual({
      name: 'github',
      type: 'webhook',
      settings: {
        url: 'https://api.github.com',
        headers: [{ name: 'Authorization', value: 'token $github-token' }],
        basicAuth: { username: 'ci', password: '$github-password' },
        insecureSkipVerify: true,
      },
      secretReferences: ['github-token', 'github-password'],
      origin: 'namespace',
    });
    expect(configuration.triggers['on-rollout-completed']?.conditions).toEqual([
      { when: "rollout.status.phase in ['Healthy']", send: ['github-commit-status'] },
    ]);
  });

  it.each<[Record<string, unknown>, string, string]>([
    [{ 'template.x': 'message: "{{.rollout.metadata.name"' }, 'data[template.x].message', 'unclosed action'],
    [{ 'template.x': 'slack:\n  attachments: "{{ nope .x }}"' }, 'data[template.x].slack.attachments', 'function "nope" not defined'],
    [{ 'template.x': 'message: "{{.app.metadata.name}}"' }, 'data[template.x].message', '.app is Argo CD’s Application'],
    [{ 'template.x': 'message: "{{.secrets.token}}"' }, 'data[template.x].message', 'Secret values stay out of them'],
    [{ 'template.x': 'slack: 3' }, 'data[template.x].slack', 'must be a mapping of slack fields'],
    [{ 'trigger.on-x': '- when: rollout.status.phase ==\n  send: [a]' }, 'data[trigger.on-x][0].when', 'unexpected end of condition'],
    [{ 'trigger.on-x': '- when: app.status == 1\n  send: [a]' }, 'data[trigger.on-x][0].when', 'unknown name app'],
    [{ 'trigger.on-x': '- when: "true"' }, 'data[trigger.on-x][0].send', 'is required'],
    [{ 'trigger.on-x': '- send: [a]\n  oncePer: rollout..x' }, 'data[trigger.on-x][0].oncePer', 'cannot read'],
    [{ 'trigger.on-x': '- send: [a]\n  sendTo: [b]' }, 'data[trigger.on-x][0].sendTo', 'unknown field'],
    [{ 'trigger.on-x': 'send: [a]' }, 'data[trigger.on-x]', 'must be a YAML list'],
    [{ subscriptions: '- recipients: [slack:x]\n  selector: "a in (b"' }, 'data.subscriptions[0].selector', 'not a valid label'],
    [{ subscriptions: '- triggers: [on-x]' }, 'data.subscriptions[0].recipients', 'must list recipients'],
    [{ defaultTriggers: 'on-x' }, 'data.defaultTriggers', 'must be a list of trigger names'],
    [{ 'service.slack': 'token: [unclosed' }, 'data[service.slack]', 'invalid YAML'],
    [{ 'service.slack': '- a' }, 'data[service.slack]', 'must be a YAML mapping'],
    [{ 'service.': 'token: t' }, 'data[service.]', 'not a valid service name'],
    [{ 'service.slack': 3 }, 'data[service.slack]', 'must be a string'],
  ])('refuses %j at %s', (data, path, message) => {
    const result = parseNotificationConfigMap(data, 'organization');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([{ path, message: expect.stringContaining(message) as unknown }]);
  });

  it('ignores keys Argo does not read', () => {
    expect(parsed({ 'foo.bar': 'x', 'service.slack': 'token: t' }).services.slack?.type).toBe('slack');
  });

  it('refuses more keys or longer values than it bounds', () => {
    const many = Object.fromEntries(Array.from({ length: 501 }, (_, index) => [`template.t${index}`, 'message: x']));
    expect(parseNotificationConfigMap(many, 'organization')).toMatchObject({ ok: false, issues: [{ path: 'data' }] });
    expect(parseNotificationConfigMap({ 'template.t': `message: ${'x'.repeat(262_145)}` }, 'organization')).toMatchObject({
      ok: false,
      issues: [{ path: 'data[template.t]', message: 'longer than 262144 characters' }],
    });
  });

  it('checks the names a merged configuration uses', () => {
    const configuration = effectiveConfiguration(
      parsed({
        'trigger.on-x': '- send: [nowhere]',
        defaultTriggers: '[on-missing]',
        subscriptions: '- recipients: [teams:ops]\n  triggers: [on-x]',
      }),
    );
    expect(checkConfigurationReferences(configuration)).toEqual([
      { path: 'data[trigger.on-x][0].send[0]', message: 'template "nowhere" is not defined' },
      { path: 'data.defaultTriggers[0]', message: 'trigger "on-missing" is not defined' },
      { path: 'data.subscriptions[0].recipients[0]', message: 'service "teams" is not defined' },
    ]);
  });
});

describe('layers', () => {
  it('lets a namespace replace what the organization defines, keeping whose Secret each service reads', () => {
    const organization = parsed({
      'service.slack': 'token: $org',
      'service.email': 'host: smtp',
      defaultTriggers: '[on-rollout-completed]',
      context: 'env: prod',
    });
    const namespace = parsed({ 'service.slack': 'token: $own', context: 'team: web' }, 'namespace');
    const merged = mergeConfigurations(organization, namespace);
    expect(merged.services.slack).toMatchObject({ settings: { token: '$own' }, origin: 'namespace' });
    expect(merged.services.email).toMatchObject({ origin: 'organization' });
    expect(merged.defaultTriggers).toEqual(['on-rollout-completed']);
    expect(merged.context).toEqual({ env: 'prod', team: 'web' });
    expect(effectiveConfiguration(organization, namespace).templates['rollout-completed']).toBeDefined();
  });
});

describe('the notification Secret', () => {
  it('reads base64 data and plain stringData, stringData winning', () => {
    expect(parseNotificationSecret({ data: { a: btoa('from-data'), b: btoa('b') }, stringData: { a: 'from-stringData' } })).toEqual({
      ok: true,
      value: { a: 'from-stringData', b: 'b' },
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ data: { a: '***' } }, 'data.a'],
    [{ data: { 'bad key': 'eA==' } }, 'data[bad key]'],
    [{ stringData: { a: 3 } }, 'stringData.a'],
    [{ stringData: ['a'] }, 'stringData'],
    [{ stringData: { a: 'x'.repeat(65_537) } }, 'stringData.a'],
  ])('refuses %j at %s', (secret, path) => {
    expect(parseNotificationSecret(secret)).toMatchObject({ ok: false, issues: [{ path }] });
  });

  it('fills $key references of a service’s settings, leaving unknown ones as written', () => {
    expect(
      resolveSecretReferences(
        { token: '$slack-token', headers: [{ value: 'Bearer $ci-token and $unknown' }], port: 25 },
        { 'slack-token': 'xoxb', 'ci-token': 'c1' },
      ),
    ).toEqual({ token: 'xoxb', headers: [{ value: 'Bearer c1 and $unknown' }], port: 25 });
  });
});

describe('subscriptions', () => {
  it('reads every annotation form Argo reads', () => {
    const { subscriptions, issues } = readAnnotationSubscriptions({
      'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'my-channel1;my-channel2',
      'notifications.argoproj.io/subscribe.slack': 'general',
      'notifications.argoproj.io/subscribe.on-rollout-completed.github': '',
      'notifications.argoproj.io/subscriptions':
        '- trigger: [on-scaling-replica-set, on-rollout-updated]\n  destinations:\n    - service: slack\n      recipients: [ops]\n',
      'example.com/other': 'x',
    });
    expect(issues).toEqual([]);
    expect(subscriptions).toEqual([
      { trigger: 'on-rollout-completed', service: 'github', recipients: [''] },
      { trigger: 'on-rollout-step-completed', service: 'slack', recipients: ['my-channel1', 'my-channel2'] },
      { trigger: undefined, service: 'slack', recipients: ['general'] },
      { trigger: 'on-scaling-replica-set', service: 'slack', recipients: ['ops'] },
      { trigger: 'on-rollout-updated', service: 'slack', recipients: ['ops'] },
    ]);
  });

  it('gives configured subscriptions only to objects their selector matches', () => {
    const configuration = parsed({
      'service.slack': 'token: t',
      subscriptions: '- recipients: [slack:web]\n  triggers: [on-rollout-completed]\n  selector: team in (web, shop),env!=dev\n',
    });
    const destinations = (labels: Record<string, string>) => [...destinationsByTrigger({ annotations: {}, labels }, configuration).keys()];
    expect(destinations({ team: 'web', env: 'prod' })).toEqual(['on-rollout-completed']);
    expect(destinations({ team: 'web', env: 'dev' })).toEqual([]);
    expect(destinations({ team: 'data' })).toEqual([]);
  });
});
