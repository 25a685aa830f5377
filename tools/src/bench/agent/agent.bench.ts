import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { rolloutKeyString } from '@flotilla/protocol';
import { integer, loadSettings } from '@flotilla/service-runtime';
import { FakeControlPlane } from '../../agent-harness/fake-control-plane.js';
import { canaryRollout } from '../../agent-harness/desired-rollouts.js';
import { startSimulatorProcess } from './simulator-process.js';
import { residentMegabytes } from '../control-plane/process-cpu.js';

/**
 * One agent process, 500 rollouts in one simulated cluster. The fake control plane changes the replica count of
 * every rollout, in waves, and the time from sending each change to seeing it in the simulator (through a watch)
 * is measured. Prints p50/p99 latency and the agent's resident memory next to the goals.
 *
 * The simulator and the agent each run in their own process, so that this one holds only the fake control plane and
 * the timing watch: a burst then measures the agent, not the harness competing with it for one event loop.
 * BENCH_CPU_PROFILE_DIR=<dir> writes CPU profiles of the agent and the simulator there.
 *
 * The simulated kubelet reports a new pod Running and Ready BENCH_POD_READY_DELAY_MS (200) after its creation, so
 * that pods start while a burst is still being applied; the output states the delay used.
 */
const settings = loadSettings((environment, problems) => ({
  rollouts: integer(environment, 'BENCH_ROLLOUTS', 500, problems),
  waves: integer(environment, 'BENCH_WAVES', 4, problems),
  pacedPerSecond: integer(environment, 'BENCH_RATE', 250, problems),
  podReadyDelayMs: integer(environment, 'BENCH_POD_READY_DELAY_MS', 200, problems, 0),
  cpuProfileDirectory: environment.BENCH_CPU_PROFILE_DIR || undefined,
}));
const GOAL_P99_MS = 500;
const GOAL_RSS_MB = 128;
const CLUSTER = 'bench';
const NAMESPACE = 'bench';
const TOKEN = 'bench-token';
const profilingFlags = (name: string): string[] =>
  settings.cpuProfileDirectory === undefined
    ? []
    : ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDirectory, '--cpu-prof-name', `${name}.cpuprofile`];

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;

const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** The agent's own view of its memory, through the probe preloaded into it. */
function memoryUsageOf(agent: ChildProcess, kind: 'memory' | 'live-memory'): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    agent.once('message', (usage) => resolve(usage as NodeJS.MemoryUsage));
    agent.send(kind);
  });
}

async function memoryLine(agent: ChildProcess): Promise<string> {
  const usage = await memoryUsageOf(agent, 'memory');
  return `rss ${(await residentMegabytes(agent.pid ?? 0)).toFixed(1)} MB, heapUsed ${megabytes(usage.heapUsed)} MB, external ${megabytes(usage.external + usage.arrayBuffers)} MB`;
}

const rolloutName = (index: number): string => `app-${String(index).padStart(3, '0')}`;
const desired = (index: number, version: number, replicas: number) =>
  canaryRollout({ namespace: NAMESPACE, name: rolloutName(index), version, stable: { hash: 'h1', replicas } });

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-agent-bench-'));
  const sim = await startSimulatorProcess({
    cluster: CLUSTER,
    podReadyDelayMs: settings.podReadyDelayMs,
    kubeconfigDirectory: directory,
    nodeFlags: profilingFlags('kube-sim'),
  });
  const kubeconfig = sim.kubeconfig;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } });
  const controlPlane = await FakeControlPlane.start({ token: TOKEN, cluster: CLUSTER });
  for (let index = 0; index < settings.rollouts; index += 1) {
    const initial = desired(index, 1, 1);
    controlPlane.desired.set(rolloutKeyString(initial.rollout), initial);
  }

  // The simulator's view: when did each ReplicaSet reach each replica count.
  const waiting = new Map<string, { replicas: number; sentAt: number }>();
  const latencies: number[] = [];
  const watch = await new Watch(kubeConfig).watch(
    `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets`,
    {},
    (_type: string, object: { metadata?: { name?: string }; spec?: { replicas?: number } }) => {
      const name = object.metadata?.name ?? '';
      const expected = waiting.get(name);
      if (expected !== undefined && object.spec?.replicas === expected.replicas) {
        latencies.push(performance.now() - expected.sentAt);
        waiting.delete(name);
      }
    },
    () => undefined,
  );

  const main = fileURLToPath(new URL('./dist/main.js', import.meta.resolve('@flotilla/agent/package.json')));
  const probe = fileURLToPath(new URL('./memory-probe.js', import.meta.url));
  // Started with the Node flags deploy/agent/deployment.yaml uses; --expose-gc only lets the probe collect at the end.
  const agent: ChildProcess = spawn(
    process.execPath,
    ['--max-semi-space-size=2', '--optimize-for-size', '--expose-gc', ...profilingFlags('agent'), '--import', probe, main],
    {
      env: { ...process.env, FLOTILLA_URL: controlPlane.url, FLOTILLA_AGENT_TOKEN: TOKEN, KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pid = agent.pid ?? 0;
  log(
    `agent process ${pid}, kube-sim process ${sim.pid}; ${settings.rollouts} rollouts in cluster "${CLUSTER}"; simulated pods become ready ${settings.podReadyDelayMs} ms after creation`,
  );

  try {
    const startedAt = performance.now();
    let applied = 0;
    controlPlane.onMessage((message) => {
      if (message.type === 'applied') applied += 1;
    });
    while (applied < settings.rollouts) {
      await sleep(500);
      log(`  initial convergence: ${applied}/${settings.rollouts} applied`);
    }
    log(
      `initial convergence of ${settings.rollouts} rollouts: ${Math.round(performance.now() - startedAt)} ms, ${await memoryLine(agent)}`,
    );
    await sleep(1000);

    const burst: number[] = [];
    const paced: number[] = [];
    for (let wave = 1; wave <= settings.waves; wave += 1) {
      const pacedWave = wave % 2 === 0;
      const replicas = wave % 2 === 1 ? 2 : 1;
      const before = latencies.length;
      for (let index = 0; index < settings.rollouts; index += 1) {
        waiting.set(`${rolloutName(index)}-h1`, { replicas, sentAt: performance.now() });
        controlPlane.publish(desired(index, wave + 1, replicas));
        if (pacedWave) await sleep(1000 / settings.pacedPerSecond);
      }
      const deadline = Date.now() + 30_000;
      while (waiting.size > 0 && Date.now() < deadline) await sleep(50);
      const measured = latencies.slice(before);
      (pacedWave ? paced : burst).push(...measured);
      const sorted = [...measured].sort((left, right) => left - right);
      log(
        `  wave ${wave}/${settings.waves} (${pacedWave ? `paced ${settings.pacedPerSecond}/s` : 'burst of all'}, scale to ${replicas}): ${measured.length}/${settings.rollouts} seen, p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, ${await memoryLine(agent)}`,
      );
      waiting.clear();
      await sleep(1500);
    }

    const rss = await residentMegabytes(pid);
    log('');
    log(`results (${settings.rollouts} rollouts, one agent process, simulated pods ready ${settings.podReadyDelayMs} ms after creation)`);
    for (const [label, values] of [
      ['paced changes', paced],
      ['burst changes', burst],
    ] as const) {
      const sorted = [...values].sort((left, right) => left - right);
      const p99 = percentile(sorted, 0.99);
      log(
        `  ${label.padEnd(14)} n=${sorted.length}  p50 ${percentile(sorted, 0.5).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  (goal p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'met' : 'missed'})`,
      );
    }
    log(
      `  agent resident memory ${rss.toFixed(1)} MB  (goal < ${GOAL_RSS_MB} MB: ${rss < GOAL_RSS_MB ? 'met' : 'missed'}); heap still reachable after a full collection ${megabytes((await memoryUsageOf(agent, 'live-memory')).heapUsed)} MB`,
    );
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    watch.abort();
    await controlPlane.stop();
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
