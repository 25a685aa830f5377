import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface SimulatorProcessOptions {
  cluster: string;
  podReadyDelayMs: number;
  kubeconfigDirectory: string;
  /** Extra Node flags for the simulator process, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  readyTimeoutMs?: number;
}

export class SimulatorStartError extends Error {
  constructor(
    message: string,
    readonly cluster: string,
    readonly output: string[],
  ) {
    super(`kube-sim for cluster "${cluster}" did not start: ${message}${output.length === 0 ? '' : `\n${output.join('\n')}`}`);
    this.name = 'SimulatorStartError';
  }
}

/** A Kubernetes API simulator serving one cluster from its own process (`libs/kube-sim/dist/main.js`). */
export interface SimulatorProcess {
  pid: number;
  clusterUrl: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

const simulatorEntry = (): string => fileURLToPath(new URL('./main.js', import.meta.resolve('@flotilla/kube-sim')));

interface ServingClusterLine {
  msg?: string;
  cluster?: string;
  url?: string;
}

function servingClusterUrl(line: string, cluster: string): string | undefined {
  let parsed: ServingClusterLine;
  try {
    parsed = JSON.parse(line) as ServingClusterLine;
  } catch {
    return undefined;
  }
  return parsed.msg === 'serving cluster' && parsed.cluster === cluster ? parsed.url : undefined;
}

/**
 * Starts the simulator on a free port and resolves once it has written the cluster's kubeconfig and logged the
 * cluster's URL (it logs that line only after it listens). Its later output is drained so that it never blocks on a
 * full pipe.
 */
export function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const { cluster, podReadyDelayMs, kubeconfigDirectory, nodeFlags = [], readyTimeoutMs = 10_000 } = options;
  const args = [
    ...nodeFlags,
    simulatorEntry(),
    '--port',
    '0',
    '--clusters',
    cluster,
    '--kubeconfig-dir',
    kubeconfigDirectory,
    '--pod-ready-delay-ms',
    String(podReadyDelayMs),
    '--log-level',
    'info',
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  return new Promise<SimulatorProcess>((resolve, reject) => {
    const onError = (error: Error): void => fail(error.message);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
    const lines = createInterface({ input: child.stdout as Readable });
    const onLine = (line: string): void => {
      const clusterUrl = servingClusterUrl(line, cluster);
      if (clusterUrl === undefined) {
        output.push(line);
        return;
      }
      settle();
      resolve({ pid: child.pid ?? 0, clusterUrl, kubeconfig: join(kubeconfigDirectory, `${cluster}.yaml`), stop });
    };
    const settle = (): void => {
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
      lines.off('line', onLine);
    };
    const fail = (message: string): void => {
      settle();
      void stop().then(() => reject(new SimulatorStartError(message, cluster, output)));
    };
    const timer = setTimeout(() => fail(`no "serving cluster" line within ${readyTimeoutMs} ms`), readyTimeoutMs);
    child.once('error', onError);
    child.once('exit', onExit);
    lines.on('line', onLine);
  });
}
