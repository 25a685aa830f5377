import { createClient } from 'graphql-ws';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorkerHealth } from '../../apps/worker/src/health-server.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { openRaw } from '../support/raw-agent-socket.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let org: TestOrganization;
/** A dashboard build of one page, so that the API answers page addresses it does not serve itself with it. */
const dashboardDirectory = mkdtempSync(join(tmpdir(), 'flotilla-dashboard-'));

beforeAll(async () => {
  writeFileSync(join(dashboardDirectory, 'index.html'), '<!doctype html><title>dashboard</title>');
  api = await startTestApi({
    MAX_REQUEST_BYTES: String(64 * 1024),
    MAX_QUERY_DEPTH: '6',
    MAX_QUERY_COMPLEXITY: '500',
    DASHBOARD_DIR: dashboardDirectory,
  });
  org = await api.organization({ cluster: 'staging' });
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    {
      yaml: toYaml(canaryRollout('checkout')),
    },
  );
});
afterAll(async () => {
  await api.close();
  rmSync(dashboardDirectory, { recursive: true, force: true });
});

describe('HTTP endpoints', () => {
  it('answers health and readiness on its port, and Prometheus metrics on the metrics port only', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
    await graphql(api.url, org.tokens.viewer, '{ clusters { name } }');
    const metrics = await fetch(`${api.metricsUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/flotilla_graphql_operations_total\{type="query",outcome="ok"\} \d+/);
    expect(text).toContain('flotilla_api_process_resident_memory_bytes');

    expect(await (await fetch(`${api.url}/no-such-page`, { headers: { accept: 'text/html' } })).text()).toContain('<title>dashboard');
    const onPublicPort = await fetch(`${api.url}/metrics`, { headers: { accept: 'text/html,*/*' } });
    expect(onPublicPort.status).toBe(404);
    expect(await onPublicPort.text()).not.toMatch(/flotilla_|dashboard/);
    for (const path of ['/healthz', '/graphql', '/'])
      expect((await fetch(`${api.metricsUrl}${path}`)).status, `${path} on the metrics port`).toBe(404);
  });

  it('serves GraphiQL with every asset from this server', async () => {
    const page = await (await fetch(`${api.url}/graphiql`)).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect(source.startsWith('/graphiql/assets/')).toBe(true);
      const asset = await fetch(`${api.url}${source}`);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(50);
    }
    expect((await fetch(`${api.url}/graphiql/assets/__proto__`)).status).toBe(404);
  });

  it('answers every request with the browser security headers, and no inline script in GraphiQL', async () => {
    const responses = [
      await fetch(`${api.url}/graphiql`),
      await fetch(`${api.url}/graphiql/assets/start.js`),
      await fetch(`${api.url}/healthz`),
      await fetch(`${api.url}/no-such-page`),
      await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ clusters { name } }"}',
      }),
      await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
    ];
    for (const response of responses) {
      const policy = Object.fromEntries(
        (response.headers.get('content-security-policy') ?? '').split(';').map((directive) => {
          const [name = '', ...values] = directive.trim().split(/\s+/);
          return [name, values.join(' ')];
        }),
      );
      expect(policy, response.url).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'none'",
        'frame-ancestors': "'none'",
      });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security'), 'HSTS over plain HTTP').toBeNull();
    }
    const page = await responses[0]?.text();
    expect(page).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|\son\w+=/);
  });
});

/** Sends `GET <target>` on a new TCP connection, as no HTTP client would, and answers the status of the response. */
async function statusOfRawGet(baseUrl: string, target: string): Promise<number> {
  const raw = await openRaw(baseUrl);
  raw.socket.write(`GET ${target} HTTP/1.1\r\nHost: flotilla\r\nConnection: close\r\n\r\n`);
  await raw.ended;
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(raw.received().toString('latin1'))?.[1] ?? 0);
}

describe('a request whose target no URL can be made of', () => {
  it('is answered 400 by the metrics port, which goes on serving', async () => {
    expect(await statusOfRawGet(api.metricsUrl, '//x:99999')).toBe(400);
    expect((await fetch(`${api.metricsUrl}/metrics`)).status).toBe(200);
  });

  it("is answered 400 by the worker's health port, which goes on serving", async () => {
    const health = await startWorkerHealth({ host: '127.0.0.1', port: 0, probes: {} });
    try {
      expect(await statusOfRawGet(health.url, '//x:99999')).toBe(400);
      expect((await fetch(`${health.url}/healthz`)).status).toBe(200);
    } finally {
      await health.close();
    }
  });
});

describe('bad input is refused with a stable code and no stack trace', () => {
  it('refuses requests over the size limit', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.tokens.deployer}` },
      body: JSON.stringify({
        query: 'mutation($y: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $y) { name } }',
        variables: { y: 'x'.repeat(70 * 1024) },
      }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: 'the request exceeds 65536 bytes', extensions: { code: 'request/too_large' } }],
    });
  });

  it('refuses queries deeper than the limit', async () => {
    const response = await graphql(
      api.url,
      org.tokens.viewer,
      '{ a: rollouts { nodes { id } } b: rollouts { pageInfo { hasNextPage } } ...F } fragment F on Query { rollouts { nodes { id } } }',
    );
    expect(response.errors).toBeUndefined();
    const deep = await graphql(
      api.url,
      org.tokens.viewer,
      '{ rollouts { nodes { id } } __schema { types { fields { type { ofType { ofType { name } } } } } } }',
    );
    expect(deep.errors?.[0]).toMatchObject({ extensions: { code: 'query/too_deep' } });
  });

  it('refuses queries costlier than the limit, counting page sizes', async () => {
    const fields = 'id name namespace cluster phase message generation';
    expect((await graphql(api.url, org.tokens.viewer, `{ rollouts(page: { first: 50 }) { nodes { ${fields} } } }`)).errors).toBeUndefined();
    const costly = await graphql(api.url, org.tokens.viewer, `query($n: Int!) { rollouts(page: { first: $n }) { nodes { ${fields} } } }`, {
      n: 100,
    });
    expect(costly.errors?.[0]?.extensions?.code).toBe('query/too_complex');
  });

  it.each([
    ['a syntax error', '{ clusters { name }', 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ clusters { secret } }', 'GRAPHQL_VALIDATION_FAILED'],
    ['a wrong argument type', '{ rollout(cluster: 1, namespace: "a", name: "b") { id } }', 'GRAPHQL_VALIDATION_FAILED'],
  ])('answers %s with its code', async (_title, query, code) => {
    const response = await graphql(api.url, org.tokens.viewer, query);
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|node_modules|\.ts:\d+/);
  });

  it('refuses a request body that is not JSON', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'input/invalid' } }] });
  });

  it('refuses a setImage for a container the template does not have, recording nothing', async () => {
    const before = await api.database.rolloutOperation.count();
    const response = await graphql(
      api.url,
      org.tokens.deployer,
      'mutation { setImage(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }, container: "sidecar", image: "x:1") { id } }',
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'rollout/operation_refused', problems: [{ path: 'container' }] });
    expect(await api.database.rolloutOperation.count()).toBe(before);
  });

  it('refuses an undo to a revision the history does not have', async () => {
    const response = await graphql(
      api.url,
      org.tokens.deployer,
      'mutation { undo(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }, toRevision: 7) { id } }',
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'rollout/revision_not_found', problems: [{ path: 'toRevision' }] });
  });
});

describe('subscriptions over graphql-ws', () => {
  it('delivers rollout changes and audit events of the organization only', async () => {
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${org.tokens.viewer}` },
    });
    const other = await api.organization({ cluster: 'staging' });
    const received: { rollout?: unknown; audit?: unknown } = {};
    const done = new Promise<void>((resolve, reject) => {
      const check = () => received.rollout && received.audit && resolve();
      client.subscribe(
        { query: 'subscription { rolloutChanged(cluster: "staging") { name images } }' },
        {
          next: (message) => {
            received.rollout = message.data;
            check();
          },
          error: reject,
          complete: () => undefined,
        },
      );
      client.subscribe(
        { query: 'subscription { auditEventAdded { action actor targetName } }' },
        {
          next: (message) => {
            received.audit = received.audit ?? message.data;
            check();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await graphqlData(api.url, other.tokens.admin, 'mutation { createApiToken(name: "noise", role: viewer) { secret } }');
    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation { promote(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }) { id } }',
    );
    await done;
    await client.dispose();
    expect(received.rollout).toEqual({ rolloutChanged: { name: 'checkout', images: ['argoproj/rollouts-demo:blue'] } });
    expect(received.audit).toEqual({
      auditEventAdded: { action: 'rollout.promote', actor: 'token:deployer', targetName: 'staging/shop/checkout' },
    });
  });

  it('refuses a subscription without a token', async () => {
    const client = createClient({ url: `${api.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket });
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { auditEventAdded { action } }' },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      );
    });
    await client.dispose();
    expect(outcome).toMatchObject({ code: 4401, reason: 'auth/unauthenticated: a bearer token is required' });
  });
});
