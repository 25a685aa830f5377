import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { PlannedNotification } from '../../libs/notifications/src/index.js';
import { createNotificationService, createServiceEnvironment } from '../../libs/notification-services/src/index.js';
import { NotificationQueue, deliveryJobId } from '../../libs/queues/src/notification-queue.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { SecretBox } from '../../libs/service-runtime/src/secret-box.js';
import { createDatabaseClient, inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { NotificationConfigStore, type NotificationPlacement } from '../../libs/stores/src/notifications/notification-config-store.js';
import { NotificationDeliveryStore } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { ParsedConfigurations } from '../../libs/stores/src/notifications/parsed-configurations.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';
import { configuredServices } from '../../apps/worker/src/notifications/configured-services.js';
import { NotificationSender, type ServiceLookup } from '../../apps/worker/src/notifications/notification-sender.js';
import { ServiceRateLimit } from '../../apps/worker/src/notifications/service-rate-limit.js';

const PREFIX = `notify-sender-${randomUUID().slice(0, 8)}`;
const logger = createLogger('test', 'silent');

interface Received {
  method: string;
  url: string;
  body: string;
}

/** A webhook receiver answering each request with the next status of `answers` (200 once they run out). */
let received: Received[] = [];
let answers: number[] = [];
/** How long the receiver holds each request before answering. */
let answerAfterMs = 0;
let server: Server;
let receiverUrl: string;

let database: DatabaseClient;
let sql: SqlPool;
let redis: Redis;
let deliveries: NotificationDeliveryStore;
let organizations: OrganizationStore;
let queue: NotificationQueue;
let sender: NotificationSender;

const environment = createServiceEnvironment({ addressPolicy: { allow: ['127.0.0.1'] }, timeoutMs: 2000 });
const webhook = () =>
  createNotificationService(
    { name: 'hooks', type: 'webhook', settings: { url: receiverUrl }, secretReferences: [], origin: 'organization' },
    { organization: {}, namespace: {} },
    environment,
  );

/**
 * A sender through the local webhook (or the services `lookup` finds), whose service takes `perSecond` attempts per
 * second; its configuration and Secret take `preparationMs` to read (as when the attempt waits for a database connection).
 */
function senderWithRate(
  perSecond: number,
  { claimMs = 30_000, preparationMs = 0, lookup }: { claimMs?: number; preparationMs?: number; lookup?: ServiceLookup } = {},
): NotificationSender {
  return new NotificationSender(
    deliveries,
    queue,
    lookup ?? (() => settle(preparationMs).then(webhook)),
    new ServiceRateLimit(redis, PREFIX, perSecond),
    logger,
    {
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
      claimMs,
      sweepBatch: 1000,
    },
  );
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ method: request.method ?? '', url: request.url ?? '', body });
      const status = answers.shift() ?? 200;
      setTimeout(() => response.writeHead(status).end(), answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  database = createDatabaseClient(inject('databaseUrl'), 2);
  redis = new Redis(inject('redisUrl'));
  const audit = new AuditStore(database, { publish: () => Promise.resolve() });
  organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  // As the worker has it: an attempt's statements on the SQL pool.
  sql = new SqlPool(inject('databaseUrl'), 2);
  deliveries = new NotificationDeliveryStore(database, sql);
  queue = new NotificationQueue(redis, PREFIX);
  sender = senderWithRate(100);
});
afterAll(async () => {
  await queue.queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await Promise.all([database.$disconnect(), sql.end()]);
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
  answers = [];
  answerAfterMs = 0;
});

async function organization(): Promise<OrganizationScope> {
  const created = await organizations.create(systemScope('test'), `sender-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  return organizationScope(created.organization.id);
}

/** Decides `count` notifications through `hooks` for one rollout of a new organization, as a state change would. */
async function decided(count: number) {
  return decidedFor(
    await organization(),
    undefined,
    Array.from({ length: count }, () => 'hooks'),
  );
}

/** Decides one webhook notification per service named, in order, for one rollout of the organization's placement. */
async function decidedFor(scope: OrganizationScope, placement: NotificationPlacement, services: readonly string[]) {
  const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'east/shop/cart', placement };
  const notifications: PlannedNotification[] = services.map((service, index) => ({
    trigger: 'on-rollout-step-completed',
    service,
    serviceType: 'webhook',
    recipient: '',
    dedupeKey: `step-${index}`,
    notification: { message: `step ${index} completed`, fields: {} },
  }));
  return inTransaction(database, (transaction) =>
    deliveries.record(scope, transaction, {
      organizationId: scope.organizationId,
      subject,
      notifications,
      mutes: [],
      bound: { perMinute: 100 },
      now: new Date(),
    }),
  );
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('NotificationSender', () => {
  it('delivers once, and a second attempt of the same row sends nothing', async () => {
    const [delivery] = await decided(1);
    expect(await sender.attempt(delivery!.id)).toMatchObject({ result: 'delivered' });
    expect(await sender.attempt(delivery!.id)).toEqual({ result: 'skipped' });
    expect(received).toEqual([{ method: 'GET', url: '/hooks', body: 'step 0 completed' }]);
    const [row] = await deliveries.list(organizationScope(delivery!.organizationId), {}, { limit: 1, afterId: undefined });
    expect(row).toMatchObject({ state: 'Delivered', attempts: 1, lastError: null });
  });

  it('retries a 500 with a queued job for the next attempt, then delivers', async () => {
    const [delivery] = await decided(1);
    answers = [500];
    expect(await sender.attempt(delivery!.id)).toMatchObject({ result: 'retrying' });
    expect(await queue.queue.getJob(deliveryJobId(delivery!.id, 1))).toBeDefined();
    await settle(20);
    expect(await sender.attempt(delivery!.id)).toMatchObject({ result: 'delivered' });
    expect(received).toHaveLength(2);
  });

  it('does not retry a 4xx, and gives up after the last attempt of repeated 503s', async () => {
    const [refused, unavailable] = await decided(2);
    answers = [404];
    expect(await sender.attempt(refused!.id)).toMatchObject({ result: 'failed' });
    answers = [503, 503, 503];
    for (const expected of ['retrying', 'retrying', 'failed']) {
      await settle(20);
      expect(await sender.attempt(unavailable!.id)).toMatchObject({ result: expected });
    }
    const rows = await deliveries.list(organizationScope(refused!.organizationId), { state: 'Failed' }, { limit: 10, afterId: undefined });
    expect(rows.map((row) => [row.dedupeKey, row.attempts, row.lastError])).toEqual(
      expect.arrayContaining([
        ['step-0', 1, 'webhook hooks answered 404'],
        ['step-1', 3, 'webhook hooks answered 503 (gave up after 3 attempts)'],
      ]),
    );
  });

  it('holds attempts past the service rate to the next second without counting them', async () => {
    const rows = await decided(3);
    const now = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
    const results = [];
    const limited = senderWithRate(2);
    for (const row of rows) results.push(await limited.attempt(row.id, now));
    expect(results.map((result) => result.result)).toEqual(['delivered', 'delivered', 'rate-limited']);
    const [held] = await deliveries.list(
      organizationScope(rows[0]!.organizationId),
      { state: 'Pending' },
      { limit: 1, afterId: undefined },
    );
    expect(held).toMatchObject({ attempts: 0, nextAttemptAt: new Date(now.getTime() + 1000) });
  });

  it('holds nothing back when the service has no rate', async () => {
    const rows = await decided(3);
    const unlimited = senderWithRate(0);
    const results = await Promise.all(rows.map((row) => unlimited.attempt(row.id)));
    expect(results.map((result) => result.result)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('sends a row once when two workers attempt it while preparation takes longer than a claim and the receiver is slow', async () => {
    const rows = await decided(3);
    answerAfterMs = 300;
    // Each worker waits 1.5 s before it can send, longer than the 1 s claim: a claim taken before that wait would
    // have expired by the time the second worker looks at the row.
    const first = senderWithRate(100, { claimMs: 1000, preparationMs: 1500 });
    const second = senderWithRate(100, { claimMs: 1000, preparationMs: 1500 });
    const firstAttempts = Promise.all(rows.map((row) => first.attempt(row.id)));
    await settle(1100);
    const secondAttempts = Promise.all(rows.map((row) => second.attempt(row.id)));
    const results = [...(await firstAttempts), ...(await secondAttempts)].map((attempt) => attempt.result);
    expect(results.filter((result) => result === 'delivered')).toHaveLength(3);
    expect(results.filter((result) => result === 'skipped')).toHaveLength(3);
    expect(received.map((request) => request.body).sort()).toEqual(['step 0 completed', 'step 1 completed', 'step 2 completed']);
    const stored = await deliveries.list(organizationScope(rows[0]!.organizationId), {}, { limit: 10, afterId: undefined });
    expect(stored.map((row) => [row.state, row.attempts])).toEqual([
      ['Delivered', 1],
      ['Delivered', 1],
      ['Delivered', 1],
    ]);
  });

  it('queues again from the outbox every delivery due whose job was lost', async () => {
    const rows = await decided(2);
    await queue.queue.obliterate({ force: true });
    await sender.sweep();
    for (const row of rows) expect(await queue.queue.getJob(deliveryJobId(row.id, 0))).toBeDefined();
  });

  it("sends a namespace's service with the namespace's Secret only, and the organization's with the organization's only", async () => {
    const scope = await organization();
    const [cluster] = await database.$queryRaw<{ id: string }[]>`
      INSERT INTO "Cluster" (id, "organizationId", name, "agentTokenHash")
      VALUES (gen_random_uuid(), ${scope.organizationId}::uuid, 'east', ${randomUUID()}) RETURNING id::text`;
    const placement = { clusterId: cluster!.id, namespace: 'shop' };
    const configs = new NotificationConfigStore(database, SecretBox.parse(`k:${randomBytes(32).toString('base64')}`, 'test'), sql);
    // Sealed under a key of this file only: a later file that reseals every stored Secret could not open them.
    onTestFinished(async () => {
      await database.notificationConfig.deleteMany({ where: { organizationId: scope.organizationId } });
    });
    await inTransaction(database, async (transaction) => {
      await configs.applySecret(scope, transaction, undefined, { 'slack-token': 'xoxb-admin', shared: 'organization' }, 'admin');
      await configs.applyConfigMap(scope, transaction, undefined, { 'service.webhook.hooks': `url: ${receiverUrl}?k=$shared` }, 'admin');
      await configs.applySecret(scope, transaction, placement, { shared: 'shop' }, 'deployer');
      await configs.applyConfigMap(
        scope,
        transaction,
        placement,
        { 'service.webhook.leak': `url: ${receiverUrl}?k=$slack-token` },
        'deployer',
      );
    });
    const [toOrganizationService, toNamespaceService] = await decidedFor(scope, placement, ['hooks', 'leak']);
    const layered = senderWithRate(100, { lookup: configuredServices(configs, new ParsedConfigurations(), environment) });
    expect(await layered.attempt(toNamespaceService!.id)).toMatchObject({ result: 'failed' });
    expect(await layered.attempt(toOrganizationService!.id)).toMatchObject({ result: 'delivered' });
    const stored = await deliveries.list(scope, {}, { limit: 10, afterId: undefined });
    expect(stored.map((row) => [row.service, row.state, row.lastError])).toEqual(
      expect.arrayContaining([
        ['leak', 'Failed', `the namespace's notification Secret has no "slack-token"`],
        ['hooks', 'Delivered', null],
      ]),
    );
    expect(received.map((request) => request.url)).toEqual(['/hooks?k=organization']);
  });
});
