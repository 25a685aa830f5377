import type { ReleaseStatus } from '@flotilla/fleet-engine';
import { describe, expect, it } from 'vitest';
import type { NotificationConfiguration } from './configuration-types.js';
import type { JsonObject } from './json.js';
import { checkConfigurationReferences, effectiveConfiguration } from './merge-configurations.js';
import { parseNotificationConfigMap } from './parse-configuration.js';
import type { NotificationEvent, NotificationPlanInput } from './plan-types.js';
import { planNotifications } from './plan-notifications.js';

const NOW = new Date('2026-12-05T08:00:00Z');

function rollout(annotations: Record<string, string>, image = 'argoproj/rollouts-demo:yellow'): JsonObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'rollout-canary', namespace: 'shop', labels: { team: 'web' }, annotations },
    spec: {
      replicas: 5,
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } },
      template: { spec: { containers: [{ name: 'rollouts-demo', image }] } },
    },
    status: { currentStepIndex: 1, currentPodHash: 'abc123', updatedReplicas: 1, phase: 'Paused' },
  };
}

function organization(data: Record<string, string>): NotificationConfiguration {
  const parsed = parseNotificationConfigMap(data, 'organization');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

const SLACK_AND_WEBHOOK = organization({
  'service.slack': 'token: $slack-token\n',
  'service.webhook.ci': 'url: https://ci.example.com\nheaders:\n- name: Authorization\n  value: Bearer $ci-token\n',
});

function plan(annotations: Record<string, string>, events: NotificationEvent[], overrides: Partial<NotificationPlanInput> = {}) {
  return planNotifications({
    changeId: 'rollout-1/7',
    events,
    subject: { kind: 'Rollout', rollout: rollout(annotations), analysisRuns: [] },
    configuration: effectiveConfiguration(SLACK_AND_WEBHOOK),
    history: new Set(),
    now: NOW,
    ...overrides,
  });
}

const stepCompleted: NotificationEvent = {
  source: 'rollout',
  event: { type: 'RolloutStepCompleted', stepIndex: 1, stepCount: 3, step: 'pause' },
};

describe('notifications of Argo’s default catalog', () => {
  it('sends the step-completed template to every recipient of subscribe.on-rollout-step-completed.slack', () => {
    const result = plan({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'my-channel1;my-channel2' }, [
      stepCompleted,
    ]);
    expect(result.failures).toEqual([]);
    expect(
      result.notifications.map(({ recipient, trigger, service, serviceType }) => ({ recipient, trigger, service, serviceType })),
    ).toEqual([
      { recipient: 'my-channel1', trigger: 'on-rollout-step-completed', service: 'slack', serviceType: 'slack' },
      { recipient: 'my-channel2', trigger: 'on-rollout-step-completed', service: 'slack', serviceType: 'slack' },
    ]);
    const [first] = result.notifications;
    expect(first?.notification.message).toBe('Rollout rollout-canary step number 2/3 has been completed.');
    expect(first?.notification.fields).toEqual({ slack: { attachments: expect.stringContaining('"value": "2/3"') as unknown } });
    expect(Object.keys(first?.notification.fields ?? {})).toEqual(['slack']);
    expect(first?.dedupeKey).toBe('rollout-1/7/0/on-rollout-step-completed/0/slack/my-channel1');
  });

  it.each<[NotificationEvent, string, string]>([
    [
      { source: 'rollout', event: { type: 'RolloutCompleted', revision: 2, podTemplateHash: 'abc' } },
      'on-rollout-completed',
      'Rollout rollout-canary has been completed.',
    ],
    [
      { source: 'rollout', event: { type: 'RolloutAborted', message: 'metric failed' } },
      'on-rollout-aborted',
      'Rollout rollout-canary has been aborted.',
    ],
    [
      { source: 'rollout', event: { type: 'RolloutPaused', reason: 'CanaryPauseStep' } },
      'on-rollout-paused',
      'Rollout rollout-canary has been paused.',
    ],
    [
      { source: 'rollout', event: { type: 'RevisionStarted', revision: 2, podTemplateHash: 'abc', images: [] } },
      'on-rollout-updated',
      'Rollout rollout-canary has been updated.',
    ],
    [
      { source: 'rollout', event: { type: 'ScalingReplicaSet', podTemplateHash: 'abc', from: 1, to: 2 } },
      'on-scaling-replica-set',
      "Scaling Rollout rollout-canary's replicaset to 5.",
    ],
    [
      { source: 'analysisRun', run: 'run-1', from: 'Pending', to: 'Running' },
      'on-analysis-run-running',
      "Rollout rollout-canary's analysis run is running.",
    ],
    [
      { source: 'analysisRun', run: 'run-1', from: 'Running', to: 'Failed' },
      'on-analysis-run-failed',
      "Rollout rollout-canary's analysis run failed.",
    ],
    [
      { source: 'analysisRun', run: 'run-1', from: 'Running', to: 'Error' },
      'on-analysis-run-error',
      "Rollout rollout-canary's analysis run is in error state.",
    ],
  ])('%j fires %s', (event, trigger, message) => {
    const result = plan({ [`notifications.argoproj.io/subscribe.${trigger}.slack`]: 'releases' }, [event]);
    expect(result.failures).toEqual([]);
    expect(result.notifications).toHaveLength(1);
    expect(result.notifications[0]).toMatchObject({ trigger, recipient: 'releases', notification: { message } });
    const attachments = result.notifications[0]?.notification.fields.slack?.attachments;
    expect(JSON.parse(typeof attachments === 'string' ? attachments : '')).toEqual([
      expect.objectContaining({
        title: 'rollout-canary',
        fields: expect.arrayContaining([{ title: 'rollouts-demo', value: 'argoproj/rollouts-demo:yellow', short: true }]) as unknown,
      }),
    ]);
  });

  it('sends nothing for an event nobody subscribed to, and nothing twice for one subscriber of two sources', () => {
    expect(plan({ 'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'x' }, [stepCompleted]).notifications).toEqual([]);
    const configuration = effectiveConfiguration(
      organization({
        'service.slack': 'token: t',
        subscriptions: '- recipients: [slack:x]\n  triggers: [on-rollout-step-completed]\n  selector: team=web\n',
      }),
    );
    const result = plan({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'x' }, [stepCompleted], { configuration });
    expect(result.notifications).toHaveLength(1);
  });

  it('renders a named webhook’s own block for subscribe.<trigger>.<webhook> with no recipient', () => {
    const configuration = effectiveConfiguration(
      organization({
        'service.webhook.ci': 'url: https://ci.example.com\n',
        'template.ci-step':
          'message: step done\nwebhook:\n  ci:\n    method: POST\n    path: /rollouts/{{.rollout.metadata.name}}\n    body: |\n      {"step": {{.rollout.status.currentStepIndex}}}\n  other:\n    body: "{{len .rollout.spec.missing}}"\n',
        'trigger.on-rollout-step-completed': '- send: [ci-step]\n',
      }),
    );
    const result = plan({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.ci': '' }, [stepCompleted], { configuration });
    expect(result.failures).toEqual([]);
    expect(result.notifications).toEqual([
      expect.objectContaining({
        service: 'ci',
        serviceType: 'webhook',
        recipient: '',
        notification: {
          message: 'step done',
          fields: { webhook: { ci: { method: 'POST', path: '/rollouts/rollout-canary', body: '{"step": 1}\n' } } },
        },
      }),
    ]);
  });

  it('uses the default triggers for subscribe.<service>, the service’s own ones first', () => {
    const configuration = effectiveConfiguration(
      organization({
        'service.slack': 'token: t',
        defaultTriggers: '- on-rollout-completed\n',
        'defaultTriggers.slack': '- on-rollout-step-completed\n',
      }),
    );
    const result = plan({ 'notifications.argoproj.io/subscribe.slack': 'x' }, [stepCompleted], { configuration });
    expect(result.notifications.map((notification) => notification.trigger)).toEqual(['on-rollout-step-completed']);
  });

  it('reports a subscription to a service that is not configured, and a template that fails to render', () => {
    const missing = plan({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.teams': 'x' }, [stepCompleted]);
    expect(missing.failures).toEqual([expect.objectContaining({ code: 'service/unknown', service: 'teams' })]);
    const blueGreen = rollout({ 'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'x' });
    (blueGreen.spec as JsonObject).strategy = { blueGreen: { activeService: 'a' } };
    const failed = plan({}, [stepCompleted], { subject: { kind: 'Rollout', rollout: blueGreen, analysisRuns: [] } });
    expect(failed.notifications).toEqual([]);
    expect(failed.failures).toEqual([
      expect.objectContaining({ code: 'template/render', message: expect.stringContaining('len of missing value') as unknown }),
    ]);
  });
});

describe('custom triggers', () => {
  const purple = organization({
    'service.slack': 'token: t',
    'template.my-purple-template':
      'message: |\n  Rollout {{.rollout.metadata.name}} has purple image\nslack:\n    attachments: |\n        [{\n          "title": "{{ .rollout.metadata.name}}",\n          "color": "#800080"\n        }]\n',
    'trigger.on-purple':
      "- send: [my-purple-template]\n  when: rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'\n",
    'trigger.on-rollout-completed':
      "- send: [rollout-completed]\n  when: rollout.status.phase == 'Healthy'\n  oncePer: rollout.status.currentPodHash\n",
  });
  const purpleInput = (image: string, history: ReadonlySet<string>): NotificationPlanInput => ({
    changeId: 'c',
    events: [],
    subject: {
      kind: 'Rollout',
      rollout: rollout({ 'notifications.argoproj.io/subscribe.on-purple.slack': 'colors' }, image),
      analysisRuns: [],
    },
    configuration: effectiveConfiguration(purple),
    history,
    now: NOW,
  });

  it('notifies when a condition of a trigger no event fires becomes true, once while it stays true', () => {
    const first = planNotifications(purpleInput('argoproj/rollouts-demo:purple', new Set()));
    expect(first.notifications.map((notification) => notification.notification.message)).toEqual([
      'Rollout rollout-canary has purple image\n',
    ]);
    expect(first.remember).toEqual(['when/on-purple/0/slack/colors']);
    const again = planNotifications(purpleInput('argoproj/rollouts-demo:purple', new Set(first.remember)));
    expect(again.notifications).toEqual([]);
    const back = planNotifications(purpleInput('argoproj/rollouts-demo:blue', new Set(first.remember)));
    expect(back).toMatchObject({ notifications: [], forget: ['when/on-purple/0/slack/colors'] });
  });

  it('gives each decision its own delivery: another subject, or this one once its condition holds again, is not a retry', () => {
    const decided = (changeId: string): string[] =>
      planNotifications({ ...purpleInput('argoproj/rollouts-demo:purple', new Set()), changeId }).notifications.map(
        (notification) => notification.dedupeKey,
      );
    // The same decision made again (a retried reconcile) keeps its key; the store keeps one delivery per key.
    expect(decided('rollout-a/3')).toEqual(decided('rollout-a/3'));
    expect(new Set([...decided('rollout-a/3'), ...decided('rollout-b/3'), ...decided('rollout-a/9')]).size).toBe(3);
  });

  it('sends an event trigger with oncePer once per value, and not when its condition does not hold', () => {
    const completed: NotificationEvent = { source: 'rollout', event: { type: 'RolloutCompleted', revision: 2, podTemplateHash: 'abc' } };
    const subscribed = rollout({ 'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'x' });
    const input = (phase: string, history: ReadonlySet<string>): NotificationPlanInput => ({
      changeId: 'c',
      events: [completed],
      subject: { kind: 'Rollout', rollout: { ...subscribed, status: { ...(subscribed.status as JsonObject), phase } }, analysisRuns: [] },
      configuration: effectiveConfiguration(purple),
      history,
      now: NOW,
    });
    expect(planNotifications(input('Degraded', new Set())).notifications).toEqual([]);
    const first = planNotifications(input('Healthy', new Set()));
    expect(first.notifications.map((notification) => notification.dedupeKey)).toEqual(['c/oncePer/on-rollout-completed/0/slack/x/abc123']);
    expect(first.remember).toEqual(['oncePer/on-rollout-completed/0/slack/x/abc123']);
    expect(planNotifications(input('Healthy', new Set(first.remember))).notifications).toEqual([]);
  });
});

describe('fleet release triggers', () => {
  const release: ReleaseStatus = {
    phase: 'Progressing',
    message: '',
    currentWave: 0,
    waves: [
      {
        name: 'staging',
        phase: 'Progressing',
        startedAt: null,
        finishedAt: null,
        healthySince: null,
        approval: null,
        gates: [
          { gate: 'healthy', state: 'Passed', message: '', since: null, until: null },
          { gate: 'soak', state: 'Passed', message: '', since: null, until: null },
          { gate: 'approval', state: 'Waiting', message: '', since: null, until: null },
        ],
        members: [],
      },
    ],
    unassigned: [],
    pausedFrom: null,
    startedAt: '2026-12-05T07:00:00Z',
    finishedAt: null,
  };
  const fleetRollout = {
    metadata: { name: 'podinfo', annotations: { 'notifications.argoproj.io/subscribe.slack': 'releases' } },
    spec: {},
  };

  it.each<[NotificationEvent, string[]]>([
    [
      { source: 'fleetRelease', event: { type: 'WaveStarted', wave: 'staging', message: '' } },
      ['Fleet release of podinfo: wave staging started.'],
    ],
    [
      { source: 'fleetRelease', event: { type: 'GatePassed', wave: 'staging', gate: 'soak', message: '' } },
      ['Fleet release of podinfo: wave staging waits for approval.'],
    ],
    [{ source: 'fleetRelease', event: { type: 'GatePassed', wave: 'staging', gate: 'healthy', message: '' } }, []],
    [
      { source: 'fleetRelease', event: { type: 'ReleaseHalted', wave: 'staging', message: 'member staging failed' } },
      ['Fleet release of podinfo halted in wave staging: member staging failed'],
    ],
    [{ source: 'fleetRelease', event: { type: 'ReleaseSucceeded', message: '' } }, ['Fleet release of podinfo has been completed.']],
    [
      { source: 'fleetRelease', event: { type: 'ReleaseAborted', message: 'release aborted in wave 1 (staging)' } },
      ['Fleet release of podinfo aborted: release aborted in wave 1 (staging)'],
    ],
    [
      { source: 'fleetRelease', event: { type: 'ReleaseRolledBack', message: 'every member is back on its previous template' } },
      ['Fleet release of podinfo rolled back: every member is back on its previous template'],
    ],
    [
      { source: 'fleetRelease', event: { type: 'ReleaseSuperseded', message: 'superseded by a release of shop/app:3' } },
      ['Fleet release of podinfo superseded: superseded by a release of shop/app:3'],
    ],
    [{ source: 'fleetRelease', event: { type: 'ReleasePaused', message: 'release paused in wave 1 (staging)' } }, []],
  ])('%j', (event, messages) => {
    const configuration = effectiveConfiguration(
      organization({
        'service.slack': 'token: t',
        defaultTriggers:
          '[on-fleet-wave-started, on-fleet-wave-passed, on-fleet-release-halted, on-fleet-release-completed, on-fleet-release-aborted, on-fleet-release-rolled-back, on-fleet-release-superseded, on-fleet-release-paused, on-approval-required]',
      }),
    );
    const result = planNotifications({
      changeId: 'f',
      events: [event],
      subject: { kind: 'FleetRollout', fleetRollout, release },
      configuration,
      history: new Set(),
      now: NOW,
    });
    expect(result.failures).toEqual([]);
    expect(result.notifications.map((notification) => notification.notification.message)).toEqual(messages);
  });
});

describe('break-glass triggers', () => {
  const freezeWindow = { metadata: { name: 'launch', labels: { team: 'platform' }, annotations: {} }, spec: { reason: 'launch week' } };
  const override = {
    targetType: 'FleetRelease',
    targetName: 'checkout#3',
    reason: 'hotfix',
    durationSeconds: 600,
    requestedBy: 'token:alice',
    confirmedBy: 'token:bob',
    expiresAt: '2026-12-05T08:10:00Z',
  };
  const configuration = effectiveConfiguration(
    organization({
      'service.slack': 'token: t',
      subscriptions: '- recipients: [slack:platform]\n  triggers: [on-freeze-break-glass]\n  selector: team=platform\n',
    }),
  );

  it('sends the default template to a subscription that selects the FreezeWindow by its labels', () => {
    const result = planNotifications({
      changeId: 'override-1/Effective/launch',
      events: [{ source: 'breakGlass', notice: 'Effective' }],
      subject: { kind: 'FreezeWindow', freezeWindow, override },
      configuration,
      history: new Set(),
      now: NOW,
    });
    expect(result.failures).toEqual([]);
    expect(result.notifications.map(({ trigger, recipient, notification }) => [trigger, recipient, notification.message])).toEqual([
      [
        'on-freeze-break-glass',
        'platform',
        'Freeze window launch is broken for FleetRelease checkout#3 until 2026-12-05T08:10:00Z: break-glass by token:alice, ' +
          'confirmed by token:bob. Reason: hotfix',
      ],
    ]);
    const attachments = result.notifications[0]?.notification.fields.slack?.attachments;
    expect(typeof attachments === 'string' ? (JSON.parse(attachments) as [{ fields: unknown }])[0].fields : attachments).toEqual([
      { title: 'Scope', value: 'FleetRelease checkout#3', short: true },
      { title: 'Until', value: '2026-12-05T08:10:00Z', short: true },
    ]);
  });

  it('sends nothing for a request to a subscription of the effective override only', () => {
    const result = planNotifications({
      changeId: 'override-1/Requested/launch',
      events: [{ source: 'breakGlass', notice: 'Requested' }],
      subject: { kind: 'FreezeWindow', freezeWindow, override: { ...override, confirmedBy: null, expiresAt: null } },
      configuration,
      history: new Set(),
      now: NOW,
    });
    expect(result).toMatchObject({ notifications: [], failures: [] });
  });
});

describe('the default catalog', () => {
  it('refers to nothing it does not define', () => {
    expect(checkConfigurationReferences(effectiveConfiguration())).toEqual([]);
  });
});
