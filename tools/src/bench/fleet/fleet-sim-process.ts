import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FleetSimCommand, FleetSimReply, FleetSimReport, SimulatedCluster } from './fleet-sim-ipc.js';

export interface FleetSimOptions {
  clusters: SimulatedCluster[];
  layout: { clusters: number; rollouts: number };
  applyDelayMs: number;
  observeIntervalMs: number;
}

/** The fleet simulator in a process of its own, driven over IPC. */
export class FleetSimProcess {
  private constructor(private readonly child: ChildProcess) {}

  get pid(): number {
    return this.child.pid as number;
  }

  /** Starts the simulator and resolves once every virtual cluster is connected and welcomed. */
  static async start(options: FleetSimOptions): Promise<FleetSimProcess> {
    // Resolved alike from this file in src/ (tests) and in dist/: the simulator always runs compiled.
    const child = fork(fileURLToPath(new URL('../../../dist/bench/fleet/fleet-sim-main.js', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const simulator = new FleetSimProcess(child);
    try {
      await simulator.ask({ type: 'connect', ...options }, 'connected');
    } catch (error) {
      await simulator.stop();
      throw error;
    }
    return simulator;
  }

  async reset(): Promise<void> {
    await this.ask({ type: 'reset' }, 'reset');
  }

  async report(): Promise<FleetSimReport> {
    const answer = await this.ask({ type: 'report' }, 'report');
    return answer.report;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.disconnect();
    await exited;
  }

  private ask<Type extends FleetSimReply['type']>(command: FleetSimCommand, answer: Type): Promise<Extract<FleetSimReply, { type: Type }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FleetSimReply): void => {
        if (message.type === 'failed') settle(() => reject(new Error(`fleet simulator: ${message.message}`)));
        else if (message.type === answer) settle(() => resolve(message as Extract<FleetSimReply, { type: Type }>));
      };
      const onExit = (code: number | null): void => settle(() => reject(new Error(`fleet simulator exited (${code})`)));
      const settle = (done: () => void): void => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        done();
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(command);
    });
  }
}
