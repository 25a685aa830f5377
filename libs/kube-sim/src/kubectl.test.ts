import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './kube-sim.js';
import { eventually } from './sim-clients.test-support.js';

const run = promisify(execFile);

function kubectlInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v kubectl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const manifest = (image: string): string => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
      - name: proxy
        image: proxy:1
`;

const brokenReplicaSet = {
  replicas: 1,
  selector: { matchLabels: { app: 'broken' } },
  template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'app', image: 'web:bad' }] } },
};

describe.runIf(kubectlInstalled())('kubectl against the simulator', () => {
  let sim: KubeSim;
  let directory: string;
  let env: NodeJS.ProcessEnv;
  let kubectl: (...args: string[]) => Promise<string>;

  beforeAll(async () => {
    // kubectl sends credentials only over https.
    sim = await startKubeSim({ clusters: ['a'], podReadyDelayMs: 20, tls: true });
    directory = await mkdtemp(join(tmpdir(), 'kube-sim-kubectl-'));
    const kubeconfig = join(directory, 'config');
    await sim.writeKubeconfig('a', kubeconfig);
    env = { ...process.env, KUBECONFIG: kubeconfig, HOME: directory };
    kubectl = async (...args) => (await run('kubectl', args, { env })).stdout;
  });
  afterAll(async () => {
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('applies, gets, scales, re-applies and deletes a ReplicaSet', async () => {
    const file = join(directory, 'web.yaml');
    await writeFile(file, manifest('web:1'));
    expect(await kubectl('apply', '-f', file)).toContain('replicaset.apps/web created');
    await eventually(async () => expect((await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name')).trim().split('\n')).toHaveLength(2));

    expect(await kubectl('scale', 'rs', 'web', '--replicas=3')).toContain('replicaset.apps/web scaled');
    await eventually(() =>
      expect(sim.get<V1ReplicaSet>('a', { kind: 'ReplicaSet', namespace: 'default', name: 'web' })?.status?.readyReplicas).toBe(3),
    );

    await writeFile(file, manifest('web:2'));
    expect(await kubectl('apply', '-f', file)).toContain('replicaset.apps/web configured');
    const applied = JSON.parse(await kubectl('get', 'rs', 'web', '-o', 'json')) as V1ReplicaSet;
    expect(applied.spec?.template?.spec?.containers.map((container) => container.image)).toEqual(['web:2', 'proxy:1']);
    expect(applied.spec?.replicas).toBe(2);
    expect(applied.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('web:2');

    expect(await kubectl('get', 'replicasets')).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nweb\s+2\s+2\s+2\s+\d+s\n$/);
    expect(await kubectl('delete', 'rs', 'web')).toContain('replicaset.apps "web" deleted');
    expect(sim.list('a', { kind: 'Pod', namespace: 'default', labelSelector: 'app=web' })).toEqual([]);
  });

  it('prints the columns of a real API server for pods, ReplicaSets and Services, and name and age for other kinds', async () => {
    const file = join(directory, 'shop.yaml');
    const service =
      'apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: shop}\nspec:\n  selector: {app: shop}\n  ports: [{port: 80}]\n';
    await writeFile(
      file,
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${manifest('web:1').replaceAll('web', 'shop').replace('namespace: default', 'namespace: shop')}---\n${service}`,
    );
    await kubectl('apply', '-f', file);
    sim.apply('a', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'broken', namespace: 'shop' }, spec: brokenReplicaSet });
    await eventually(async () =>
      expect(await kubectl('get', 'pods', '-n', 'shop')).toMatch(/shop-\w+\s+2\/2\s+Running[^]*shop-\w+\s+2\/2\s+Running/),
    );
    await eventually(async () =>
      expect(await kubectl('get', 'pods', '-n', 'shop', '-l', 'app=broken')).toMatch(/CrashLoopBackOff\s+\d+ \(\d+s ago\)/),
    );

    const printed = (await kubectl('get', 'pods,rs,svc', '-n', 'shop')).split('\n\n').map((block) => block.trim().split('\n'));
    const [pods = [], replicaSets = [], services = []] = printed;
    expect(pods[0]?.split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods.slice(1).filter((row) => row.startsWith('pod/shop-'))).toHaveLength(2);
    expect(pods.find((row) => row.startsWith('pod/shop-'))).toMatch(/^pod\/shop-\S+\s+2\/2\s+Running\s+0\s+\d+s$/);
    expect(pods.find((row) => row.startsWith('pod/broken-'))).toMatch(
      /^pod\/broken-\S+\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)\s+\d+s$/,
    );
    expect(replicaSets[0]?.split(/\s{2,}/)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(replicaSets).toContainEqual(expect.stringMatching(/^replicaset.apps\/shop\s+2\s+2\s+2\s+\d+s$/));
    expect(replicaSets).toContainEqual(expect.stringMatching(/^replicaset.apps\/broken\s+1\s+1\s+0\s+\d+s$/));
    expect(services[0]?.split(/\s{2,}/)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(services[1]).toMatch(/^service\/shop\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/);

    expect((await kubectl('get', 'rs', 'shop', '-n', 'shop', '-o', 'wide')).split('\n')[1]).toMatch(
      /^shop\s+2\s+2\s+2\s+\d+s\s+app,proxy\s+shop:1,proxy:1\s+app=shop$/,
    );
    const events = (await kubectl('get', 'events', '-n', 'shop')).trim().split('\n');
    expect(events[0]?.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(events).toContainEqual(expect.stringMatching(/^\d+s\s+Normal\s+SuccessfulCreate\s+replicaset\/shop\s+Created pod: shop-\S+$/));
    expect(events).toContainEqual(
      expect.stringMatching(/^\d+s\s+Normal\s+Scheduled\s+pod\/shop-\S+\s+Successfully assigned shop\/shop-\S+ to \S+$/),
    );
    expect(await kubectl('get', 'namespaces', 'shop')).toMatch(/^NAME\s+STATUS\s+AGE\nshop\s+Active\s+\d+s\n$/);
    expect(await kubectl('get', 'configmaps', '-n', 'shop', '--field-selector', 'metadata.name=none')).toBe('');
    sim.apply('a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: {} });
    expect(await kubectl('get', 'configmap', 'settings', '-n', 'shop', '--show-labels')).toMatch(
      /^NAME\s+AGE\s+LABELS\nsettings\s+\d+s\s+<none>\n$/,
    );
  });

  it('reads Istio resources by short name', async () => {
    sim.apply('a', {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'vs', namespace: 'default' },
      spec: { hosts: ['web'] },
    });
    expect((await kubectl('get', 'vs', '-o', 'name')).trim()).toBe('virtualservice.networking.istio.io/vs');
  });

  it('patches a ConfigMap while a watch reports each change', async () => {
    const file = join(directory, 'settings.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\ndata: {mode: blue}\n');
    expect(await kubectl('apply', '-f', file)).toBe('configmap/settings created\n');
    const watch = spawn(
      'kubectl',
      ['get', 'configmap', 'settings', '--watch', '--output-watch-events', '-o', 'jsonpath={.type} {.object.data.mode}{"\\n"}'],
      { env },
    );
    try {
      const events = createInterface({ input: watch.stdout })[Symbol.asyncIterator]();
      expect((await events.next()).value).toBe('ADDED blue');
      expect(await kubectl('patch', 'configmap', 'settings', '--type', 'merge', '-p', '{"data":{"mode":"green"}}')).toBe(
        'configmap/settings patched\n',
      );
      expect((await events.next()).value).toBe('MODIFIED green');
      expect(await kubectl('patch', 'configmap', 'settings', '-p', '{"data":{"mode":"red"}}')).toBe('configmap/settings patched\n');
      expect((await events.next()).value).toBe('MODIFIED red');
    } finally {
      watch.kill();
    }
    expect(sim.get('a', { kind: 'ConfigMap', namespace: 'default', name: 'settings' })).toMatchObject({ data: { mode: 'red' } });
  });

  it('is refused with a token other than the cluster’s', async () => {
    await expect(kubectl('--token', 'wrong', 'get', 'configmaps')).rejects.toMatchObject({
      stderr: 'error: You must be logged in to the server (Unauthorized)\n',
    });
  });
});
