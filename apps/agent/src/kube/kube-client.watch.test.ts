import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeClient, type WatchEventType } from './kube-client.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let handler: Handler = (_request, response) => response.end();
let kube: KubeClient;
const requests: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'plain', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 'sa-token' }],
    contexts: [{ name: 'plain', cluster: 'plain', user: 'agent' }],
    currentContext: 'plain',
  });
  kube = new KubeClient(kubeConfig);
});

afterAll(async () => {
  kube.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface Seen {
  events: Array<[WatchEventType, unknown]>;
  ended: Promise<unknown>;
}

async function watchUntilEnd(query: Record<string, string>): Promise<Seen> {
  const events: Array<[WatchEventType, unknown]> = [];
  let resolveEnded: (error: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => {
    resolveEnded = resolve;
  });
  await kube.watch('/api/v1/pods', query, (type, object) => events.push([type, object]), resolveEnded);
  return { events, ended };
}

const line = (type: WatchEventType, object: object): string => `${JSON.stringify({ type, object })}\n`;

describe('KubeClient.watch', () => {
  it('asks for a watch from the resourceVersion with the bearer token and parses events split across chunks', async () => {
    const stream =
      line('ADDED', { metadata: { name: 'a', resourceVersion: '11' } }) +
      line('BOOKMARK', { metadata: { resourceVersion: '12' } }) +
      line('DELETED', { metadata: { name: 'a', resourceVersion: '13' } });
    handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const cuts = [0, 7, 40, stream.length - 3, stream.length];
      cuts.slice(1).forEach((end, index) => response.write(stream.slice(cuts[index], end)));
      response.end();
    };
    const seen = await watchUntilEnd({ resourceVersion: '10', allowWatchBookmarks: 'true' });
    expect(await seen.ended).toBeUndefined();
    expect(
      seen.events.map(([type, object]) => [type, (object as { metadata: { resourceVersion: string } }).metadata.resourceVersion]),
    ).toEqual([
      ['ADDED', '11'],
      ['BOOKMARK', '12'],
      ['DELETED', '13'],
    ]);
    const request = requests.at(-1);
    const url = new URL(request?.url ?? '', 'http://x');
    expect([
      url.pathname,
      url.searchParams.get('watch'),
      url.searchParams.get('resourceVersion'),
      url.searchParams.get('allowWatchBookmarks'),
      url.searchParams.get('timeoutSeconds'),
    ]).toEqual(['/api/v1/pods', 'true', '10', 'true', '290']);
    expect(request?.headers.authorization).toBe('Bearer sa-token');
  });

  it('passes an ERROR event with code 410 on to the caller, who must list again', async () => {
    handler = (_request, response) => {
      response.writeHead(200);
      response.end(line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }));
    };
    const seen = await watchUntilEnd({ resourceVersion: '1' });
    await seen.ended;
    expect(seen.events).toEqual([['ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }]]);
  });

  it.each([410, 403])('ends a watch the server refuses with %i with a KubeApiError keeping the status', async (status) => {
    handler = (_request, response) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', code: status, message: 'refused' }));
    };
    const seen = await watchUntilEnd({ resourceVersion: '1' });
    const ended = await seen.ended;
    expect(ended).toBeInstanceOf(KubeApiError);
    expect(ended).toMatchObject({ status });
  });

  it('ends with an error when the connection drops in the middle of the stream', async () => {
    handler = (request, response) => {
      response.writeHead(200);
      response.write(line('ADDED', { metadata: { name: 'b', resourceVersion: '5' } }));
      setTimeout(() => request.socket.destroy(), 20);
    };
    const seen = await watchUntilEnd({ resourceVersion: '4' });
    expect(await seen.ended).toMatchObject({ status: 0, reason: 'WatchInterrupted' });
    expect(seen.events).toHaveLength(1);
  });

  it('ends once, without an error, when the caller aborts', async () => {
    handler = (_request, response) => {
      response.writeHead(200);
      response.write(line('ADDED', { metadata: { name: 'c', resourceVersion: '2' } }));
    };
    const endings: unknown[] = [];
    const handle = await kube.watch(
      '/api/v1/pods',
      { resourceVersion: '1' },
      () => undefined,
      (error) => endings.push(error),
    );
    handle.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(endings).toEqual([undefined]);
  });
});
