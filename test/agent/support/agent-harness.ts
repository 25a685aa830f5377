import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeSim } from '@flotilla/kube-sim';
import { pino, type Logger } from 'pino';
import { startAgent, type AgentHandle } from '../../../apps/agent/src/agent.js';
import { loadAgentConfig } from '../../../apps/agent/src/config/agent-config.js';
import { FakeControlPlane } from '../../../tools/src/agent-harness/fake-control-plane.js';

export interface AgentUnderTest {
  controlPlane: FakeControlPlane;
  agent: AgentHandle;
  logs: Array<{ level: number; msg: string; [field: string]: unknown }>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** The token the agent presents; the control plane accepts `control-plane-token`. */
  agentToken?: string;
  heartbeatIntervalSeconds?: number;
  env?: Record<string, string>;
  /** Points the agent at another API server address (e.g. a proxy in front of the simulator). */
  apiServer?: string;
  /** The control plane takes `observedDigests`. */
  observationDigests?: boolean;
}

/** A memory logger, so that tests can assert on what the agent reported. */
function recordingLogger(records: AgentUnderTest['logs']): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as AgentUnderTest['logs'][number]) });
}

/** A fake control plane and an agent connected to it, watching one cluster of a running simulator. */
export async function startAgentUnderTest(sim: KubeSim, cluster: string, options: HarnessOptions = {}): Promise<AgentUnderTest> {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-agent-'));
  const kubeconfig = join(directory, 'kubeconfig');
  const original = sim.kubeconfig(cluster);
  await writeFile(kubeconfig, options.apiServer === undefined ? original : original.replace(sim.url, options.apiServer), { mode: 0o600 });
  const controlPlane = await FakeControlPlane.start({
    token: 'control-plane-token',
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 1,
    observationDigests: options.observationDigests ?? false,
  });
  const config = loadAgentConfig({
    FLOTILLA_URL: controlPlane.url,
    FLOTILLA_AGENT_TOKEN: options.agentToken ?? 'control-plane-token',
    KUBECONFIG: kubeconfig,
    FLOTILLA_OBSERVE_DEBOUNCE_MS: '30',
    FLOTILLA_RECONNECT_BASE_MS: '50',
    FLOTILLA_RECONNECT_MAX_SECONDS: '1',
    FLOTILLA_UNAUTHENTICATED_RETRY_SECONDS: '1',
    ...options.env,
  });
  const logs: AgentUnderTest['logs'] = [];
  const agent = startAgent(config, recordingLogger(logs));
  return {
    controlPlane,
    agent,
    logs,
    stop: async () => {
      await agent.stop();
      await controlPlane.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Retries `probe` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
