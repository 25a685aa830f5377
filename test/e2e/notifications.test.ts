import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { histogramCounts, samplesOf, scrapeCheckedMetrics } from '../support/prometheus-text.js';

/** A receiver of webhooks and Slack's API: records every request, answers the first one of each path 500. */
class Receiver {
  readonly requests: { path: string; body: string; status: number }[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        const status = this.requests.some((earlier) => earlier.path === path) ? 200 : 500;
        this.requests.push({ path, body: Buffer.concat(chunks).toString('utf8'), status });
        response.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"ok":false}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  of(path: string): { body: string; status: number }[] {
    return this.requests.filter((request) => request.path === path).map(({ body, status }) => ({ body, status }));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const receiver = new Receiver();
let system: E2eSystem;

beforeAll(async () => {
  await receiver.start();
  system = await E2eSystem.start({ workerEnvironment: { NOTIFICATION_ALLOW: '127.0.0.1' } });
});
afterAll(async () => {
  await system?.stop();
  await receiver.stop();
});

const configMap = (url: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'argo-rollouts-notification-configmap' },
  data: {
    'service.webhook.receiver': `url: ${url}/hook\n`,
    'service.slack': `token: xoxb-test\napiURL: ${url}/slack/api\n`,
    'template.rollout-step-completed': [
      'message: Rollout {{.rollout.metadata.name}} step {{.rollout.status.currentStepIndex}} completed.',
      'webhook:',
      '  receiver:',
      '    method: POST',
      '    path: /step',
      '    body: \'{"rollout":"{{.rollout.metadata.name}}","step":{{.rollout.status.currentStepIndex}}}\'',
      '',
    ].join('\n'),
  },
});

describe('notifications decided with the release and sent by the worker', () => {
  it('sends each subscribed notification once, in order, through a 500 and a kill -9 of the worker', async () => {
    const space = await E2eNamespace.create(system, 'staging', 'notify');
    await system.graphql(
      system.tokens.admin,
      'mutation($c: String!, $n: String!, $yaml: String!) { applyManifests(cluster: $c, namespace: $n, yaml: $yaml) { name } }',
      { c: space.cluster, n: space.namespace, yaml: toYaml(configMap(receiver.url)) },
    );
    const rollout = canaryRollout('checkout', 'shop/checkout:1');
    rollout.metadata.annotations = {
      'notifications.argoproj.io/subscribe.on-rollout-step-completed.receiver': '',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'releases',
    };
    await space.applyManifests(toYaml(rollout));
    await space.waitForPhase('checkout', 'Healthy');

    await space.setImage('checkout', 'checkout', 'shop/checkout:2');
    await space.waitForPhase('checkout', 'Paused');
    const stepBody = '{"rollout":"checkout","step":1}';
    await space.waitFor('checkout', 'to deliver the completed step after the 500', () => receiver.of('/hook/step').length === 2);

    await space.operate('abort', 'checkout');
    const subjectName = `staging/${space.namespace}/checkout`;
    // The abort's notification is committed and its first attempt refused: the worker dies before the next one.
    await space.waitFor('checkout', 'to record the first refused attempt of the abort notification', async () => {
      const row = await system.database.notificationDelivery.findFirst({ where: { subjectName, trigger: 'on-rollout-aborted' } });
      return row !== null && row.attempts === 1 && row.lastError !== null;
    });
    await system.killWorker();
    await system.deleteRedisKeys();
    await system.startWorker();
    await space.waitFor('checkout', 'to deliver the abort notification after the restart', async () => {
      const row = await system.database.notificationDelivery.findFirst({ where: { subjectName, trigger: 'on-rollout-aborted' } });
      return row?.state === 'Delivered';
    });
    // Time for a duplicate to show, were there one: more than a sweep and a retry.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(receiver.of('/hook/step')).toEqual([
      { body: stepBody, status: 500 },
      { body: stepBody, status: 200 },
    ]);
    const slack = receiver.of('/slack/api/chat.postMessage');
    expect(slack.map(({ status }) => status)).toEqual([500, 200]);
    for (const request of slack) {
      const body = JSON.parse(request.body) as { channel?: string; text?: string };
      expect(body.channel).toBe('releases');
      expect(body.text).toContain('aborted');
    }
    const deliveries = await system.database.notificationDelivery.findMany({ where: { subjectName }, orderBy: { createdAt: 'asc' } });
    expect(
      deliveries.map(({ trigger, service, recipient, state, attempts }) => ({ trigger, service, recipient, state, attempts })),
    ).toEqual([
      { trigger: 'on-rollout-step-completed', service: 'receiver', recipient: '', state: 'Delivered', attempts: 2 },
      { trigger: 'on-rollout-aborted', service: 'slack', recipient: 'releases', state: 'Delivered', attempts: 2 },
    ]);

    // The restarted worker counts the delivery it made, and how long after the abort it arrived (docs/metrics.md)
    const families = await scrapeCheckedMetrics(system.workerMetricsUrls[0] ?? '');
    expect(samplesOf(families.get('flotilla_notification_deliveries_total'), { service_type: 'slack' })).toEqual([
      { labels: { service_type: 'slack', result: 'delivered' }, value: 1 },
    ]);
    expect(histogramCounts(families, 'flotilla_notification_delivery_seconds', { service_type: 'slack' })).toEqual([
      { labels: { service_type: 'slack' }, value: 1 },
    ]);
    expect(
      histogramCounts(families, 'flotilla_queue_job_duration_seconds', { queue: 'notifications', outcome: 'completed' })[0]?.value,
    ).toBeGreaterThan(0);
  }, 120_000);
});
