import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { ObjectCache } from './object-cache.js';
import { PODS } from './resources.js';

let server: Server;
let kube: KubeClient;
let cache: ObjectCache<KubeObject> | undefined;
let answerWatch: (response: ServerResponse) => void = (response) => response.end();
let watchesOpened = 0;

beforeEach(async () => {
  watchesOpened = 0;
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://api');
    if (url.searchParams.get('watch') !== 'true') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '10' }, items: [] }));
      return;
    }
    watchesOpened += 1;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    answerWatch(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'plain', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 'sa-token' }],
    contexts: [{ name: 'plain', cluster: 'plain', user: 'agent' }],
    currentContext: 'plain',
  });
  kube = new KubeClient(kubeConfig);
});

afterEach(async () => {
  cache?.stop();
  kube.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Starts a pod cache, waits `forMs` and answers what it logged at warn level. */
async function watchPodsFor(forMs: number): Promise<Array<{ msg: string; err?: { status?: number; reason?: string } }>> {
  const warnings: Array<{ msg: string; err?: { status?: number; reason?: string } }> = [];
  const logs = new Writable({
    write(line: Buffer, _encoding, done) {
      warnings.push(JSON.parse(line.toString('utf8')) as { msg: string });
      done();
    },
  });
  cache = new ObjectCache<KubeObject>(PODS, kube, undefined, () => undefined, pino({ level: 'warn' }, logs));
  cache.start();
  await cache.whenSynced();
  await new Promise((resolve) => setTimeout(resolve, forMs));
  return warnings;
}

describe('ObjectCache restarting its watch', () => {
  it('logs an ERROR event other than 410 and watches again only after a backoff', async () => {
    // Given an API server whose every watch reports an internal error and ends
    answerWatch = (response) =>
      response.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd down' } })}\n`,
      );

    // When the cache watches for 1.5 s
    const warnings = await watchPodsFor(1500);

    // Then it asked again a few times (backoff from 500 ms), not in a tight loop, and said why each time
    expect(watchesOpened).toBeGreaterThanOrEqual(1);
    expect(watchesOpened).toBeLessThanOrEqual(8);
    expect(warnings[0]).toMatchObject({ msg: 'watch interrupted', err: { status: 500, reason: 'InternalError' } });
  });

  it('counts a watch that ended at once without any event as a failure', async () => {
    // Given a proxy before the API server that answers every watch with 200 and closes it at once
    answerWatch = (response) => response.end();

    // When the cache watches for 1.5 s
    const warnings = await watchPodsFor(1500);

    // Then it backed off between attempts
    expect(watchesOpened).toBeLessThanOrEqual(8);
    expect(warnings[0]).toMatchObject({ msg: 'watch interrupted', err: { reason: 'WatchEndedAtOnce' } });
  });
});
