import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { KubeApiError, KubeClient, LIST_PAGE_SIZE } from '../../apps/agent/src/kube/kube-client.js';
import { KubeCredentialsError, loadKubeConfig, SERVICE_ACCOUNT_DIRECTORY } from '../../apps/agent/src/kube/kube-config.js';
import { PODS, resourcePath, SERVICES } from '../../apps/agent/src/kube/resources.js';

/** The name the simulator's certificate is made for: not the address it is reached at. */
const CERTIFICATE_NAME = 'kubernetes.default.svc';

let directory: string;
let sim: KubeSim;
let clients: KubeClient[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'flotilla-kube-credentials-'));
  sim = await startKubeSim({ clusters: ['main'], tls: true, certificateNames: [CERTIFICATE_NAME] });
});

afterAll(async () => {
  await sim.stop();
  await rm(directory, { recursive: true, force: true });
});

afterEach(() => {
  clients.forEach((client) => client.close());
  clients = [];
  vi.useRealTimers();
});

const base64 = (text: string): string => Buffer.from(text).toString('base64');

interface KubeconfigParts {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  contexts?: Array<{ name: string; cluster: string; user: string }>;
  clusters?: string[];
  users?: string[];
  currentContext?: string;
}

/** A kubeconfig whose `main` cluster is the simulator, trusted by its certificate, with the given user fields. */
async function writeKubeconfig(name: string, parts: KubeconfigParts): Promise<string> {
  const path = join(directory, name);
  const clusterNames = parts.clusters ?? ['main'];
  const userNames = parts.users ?? ['main'];
  await writeFile(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      ...(parts.currentContext === undefined ? {} : { 'current-context': parts.currentContext }),
      contexts: (parts.contexts ?? []).map(({ name: contextName, ...context }) => ({ name: contextName, context })),
      clusters: clusterNames.map((clusterName) => ({
        name: clusterName,
        cluster: {
          server: sim.clusterUrl('main'),
          'certificate-authority-data': base64(sim.certificate ?? ''),
          'tls-server-name': CERTIFICATE_NAME,
          ...parts.cluster,
        },
      })),
      users: userNames.map((userName) => ({
        name: userName,
        user: parts.user ?? { token: sim.kubeconfig('main').match(/token: (\S+)/)?.[1] },
      })),
    }),
  );
  return path;
}

const simpleKubeconfig = (name: string, parts: Omit<KubeconfigParts, 'contexts' | 'currentContext'> = {}): Promise<string> =>
  writeKubeconfig(name, { ...parts, contexts: [{ name: 'main', cluster: 'main', user: 'main' }], currentContext: 'main' });

function clientFor(kubeconfig: string): KubeClient {
  const client = new KubeClient(loadKubeConfig({ kubeconfig, home: directory }));
  clients.push(client);
  return client;
}

const listServices = async (client: KubeClient): Promise<number> => (await client.list(SERVICES)).items.length;

/**
 * A kubectl exec credential plugin: prints an ExecCredential with the token in `tokenFile`, valid `lifetimeMs`, and
 * counts its runs in `runsFile`.
 */
async function writeExecPlugin(tokenFile: string, runsFile: string, lifetimeMs: number): Promise<string> {
  const plugin = join(directory, 'credential-plugin.mjs');
  await writeFile(
    plugin,
    `#!${process.execPath}
import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runsFile)}, 'run\\n');
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: {
    token: readFileSync(${JSON.stringify(tokenFile)}, 'utf8').trim(),
    expirationTimestamp: new Date(Date.now() + ${lifetimeMs}).toISOString(),
  },
}));
`,
  );
  await chmod(plugin, 0o755);
  return plugin;
}

const runsOf = async (runsFile: string): Promise<number> =>
  (await readFile(runsFile, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '').length;

describe('the agent reaches its API server with the credentials of its kubeconfig', () => {
  it('runs an exec credential plugin once for requests sent together, keeps its token until it expires, then runs it again', async () => {
    const tokenFile = join(directory, 'exec-token');
    const runsFile = join(directory, 'exec-runs');
    await writeFile(tokenFile, sim.kubeconfig('main').match(/token: (\S+)/)?.[1] ?? '');
    const lifetimeMs = 1500;
    const plugin = await writeExecPlugin(tokenFile, runsFile, lifetimeMs);
    const client = clientFor(
      await simpleKubeconfig('exec', {
        user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args: [], interactiveMode: 'Never' } },
      }),
    );

    expect(await Promise.all(Array.from({ length: 10 }, () => listServices(client)))).toHaveLength(10);
    expect(await runsOf(runsFile)).toBe(1);

    await writeFile(tokenFile, sim.rotateToken('main'));
    // Until the credential expires the agent keeps the token it has, which the API server no longer takes.
    await expect(listServices(client)).rejects.toMatchObject({ status: 401 });
    expect(await runsOf(runsFile)).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, lifetimeMs + 400));
    expect(await listServices(client)).toBeGreaterThanOrEqual(0);
    expect(await runsOf(runsFile)).toBe(2);
  });

  it('reads a rotated token file again, as client-go does once a minute', async () => {
    const tokenFile = join(directory, 'rotating-token');
    await writeFile(tokenFile, `${sim.kubeconfig('main').match(/token: (\S+)/)?.[1] ?? ''}\n`);
    const client = clientFor(await simpleKubeconfig('token-file', { user: { tokenFile: 'rotating-token' } }));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    expect(await listServices(client)).toBeGreaterThanOrEqual(0);

    await writeFile(tokenFile, sim.rotateToken('main'));
    vi.setSystemTime(Date.now() + 30_000);
    await expect(listServices(client)).rejects.toMatchObject({ status: 401 });
    vi.setSystemTime(Date.now() + 31_000);
    expect(await listServices(client)).toBeGreaterThanOrEqual(0);
  });

  it('watches with the same credentials as it sends requests', async () => {
    const tokenFile = join(directory, 'watch-token');
    await writeFile(tokenFile, `${sim.kubeconfig('main').match(/token: (\S+)/)?.[1] ?? ''}\n`);
    const client = clientFor(await simpleKubeconfig('watching', { user: { tokenFile } }));
    const { resourceVersion } = await client.list(SERVICES);
    const added = new Promise<string>((resolve, reject) => {
      void client
        .watch<{ metadata: { name: string } }>(
          resourcePath(SERVICES),
          { resourceVersion },
          (type, object) => {
            if (type === 'ADDED') resolve(object.metadata.name);
          },
          (error) => reject(error instanceof Error ? error : new Error('the watch ended before the Service was seen')),
        )
        .then((handle) => added.finally(() => handle.abort()));
    });
    sim.apply('main', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'watched', namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(await added).toBe('watched');
  });

  it('merges a KUBECONFIG list as kubectl does: the first file to name the current context, a cluster or a user wins', async () => {
    const token = sim.kubeconfig('main').match(/token: (\S+)/)?.[1] ?? '';
    const first = await writeKubeconfig('list-first', {
      contexts: [{ name: 'ops', cluster: 'main', user: 'ops' }],
      clusters: [],
      users: ['ops'],
      user: { token },
      currentContext: 'ops',
    });
    const second = await writeKubeconfig('list-second', {
      contexts: [
        { name: 'ops', cluster: 'elsewhere', user: 'nobody' },
        { name: 'other', cluster: 'main', user: 'ops' },
      ],
      clusters: ['main'],
      users: ['ops'],
      user: { token: 'not-the-first-files-token' },
      currentContext: 'other',
    });
    const kubeConfig = loadKubeConfig({ kubeconfig: `${first}:${second}` });
    expect(kubeConfig.getCurrentContext()).toBe('ops');
    expect(kubeConfig.getCurrentUser()?.token).toBe(token);
    const client = new KubeClient(kubeConfig);
    clients.push(client);
    expect(await listServices(client)).toBeGreaterThanOrEqual(0);
  });

  it('goes through the CONNECT proxy of proxy-url, one tunnel for requests one after another', async () => {
    const proxy = await startConnectProxy();
    try {
      const client = clientFor(await simpleKubeconfig('proxied', { cluster: { 'proxy-url': proxy.url } }));
      for (let request = 0; request < 5; request += 1) await listServices(client);
      expect(proxy.tunnels).toEqual([`127.0.0.1:${new URL(sim.url).port}`]);
    } finally {
      await proxy.stop();
    }
  });

  it('checks the server certificate against tls-server-name, not the address it dials', async () => {
    expect(await listServices(clientFor(await simpleKubeconfig('server-name')))).toBeGreaterThanOrEqual(0);
    await expect(
      listServices(clientFor(await simpleKubeconfig('no-server-name', { cluster: { 'tls-server-name': null } }))),
    ).rejects.toThrow(/altnames|does not match/);
    await expect(
      listServices(clientFor(await simpleKubeconfig('wrong-server-name', { cluster: { 'tls-server-name': 'other.example' } }))),
    ).rejects.toThrow(/altnames|does not match/);
  });

  it('lists a large collection in pages', async () => {
    sim.apply('main', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let index = 0; index < LIST_PAGE_SIZE + 20; index += 1)
      sim.apply('main', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `paged-${index}`, namespace: 'paging' },
        spec: { ports: [{ port: 80 }] },
      });
    const client = clientFor(await simpleKubeconfig('paging'));
    const listed = await client.list(SERVICES);
    expect(listed.items.filter((service) => service.metadata.namespace === 'paging')).toHaveLength(LIST_PAGE_SIZE + 20);
    expect(listed.resourceVersion).not.toBe('');
    expect(await client.list(PODS, 'no-such-label')).toMatchObject({ items: [] });
  });

  it('refuses a kubeconfig it cannot use, naming the file and what is wrong', async () => {
    const noContext = await writeKubeconfig('no-context', { contexts: [{ name: 'main', cluster: 'main', user: 'main' }] });
    expect(() => loadKubeConfig({ kubeconfig: noContext })).toThrow(
      new KubeCredentialsError(noContext, 'the kubeconfig has no current-context'),
    );
    const unknownCluster = await writeKubeconfig('unknown-cluster', {
      contexts: [{ name: 'main', cluster: 'gone', user: 'main' }],
      currentContext: 'main',
    });
    expect(() => loadKubeConfig({ kubeconfig: unknownCluster })).toThrow(/context "main" names no known cluster/);
    const broken = join(directory, 'broken');
    await writeFile(broken, 'clusters: [');
    expect(() => loadKubeConfig({ kubeconfig: broken })).toThrow(/broken: cannot read the kubeconfig/);
    expect(() => loadKubeConfig({ kubeconfig: undefined, home: directory, serviceAccountRoot: directory })).toThrow(KubeCredentialsError);
  });

  it('uses the pod service account when no kubeconfig is found', async () => {
    const root = join(directory, 'pod');
    const accountDirectory = join(root, SERVICE_ACCOUNT_DIRECTORY);
    await mkdir(accountDirectory, { recursive: true });
    await writeFile(join(accountDirectory, 'token'), 'projected-token');
    await writeFile(join(accountDirectory, 'ca.crt'), sim.certificate ?? '');
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    try {
      process.env.KUBERNETES_SERVICE_HOST = 'fd00::1';
      process.env.KUBERNETES_SERVICE_PORT = '443';
      const kubeConfig = loadKubeConfig({ kubeconfig: undefined, home: join(directory, 'no-home'), serviceAccountRoot: root });
      expect(kubeConfig.getCurrentCluster()).toMatchObject({ server: 'https://[fd00::1]:443', caFile: join(accountDirectory, 'ca.crt') });
      const options: { headers?: Record<string, string> } = {};
      await kubeConfig.applyToHTTPSOptions(options);
      expect(options.headers?.Authorization).toBe('Bearer projected-token');
    } finally {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  it('reports an API server it cannot reach as Unreachable', async () => {
    const client = clientFor(await simpleKubeconfig('unreachable', { cluster: { server: 'https://127.0.0.1:1' } }));
    await expect(client.list(SERVICES)).rejects.toBeInstanceOf(KubeApiError);
    await expect(client.list(SERVICES)).rejects.toMatchObject({ status: 0, reason: 'Unreachable' });
  });
});

interface ConnectProxy {
  url: string;
  /** The `host:port` of every CONNECT it tunnelled, in order. */
  tunnels: string[];
  stop(): Promise<void>;
}

async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const target = request.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    stop: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
