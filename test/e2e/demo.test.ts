import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleCommands } from '../support/console-blocks.js';
import { graphqlData } from '../support/graphql-client.js';
import { eventually, exitOf, freePort } from '../support/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY_LINE = 'Ctrl-C stops everything.';

interface RunView {
  name: string;
  kind: string;
  phase: string;
  message: string;
  measurements: { metricName: string; phase: string; value: string | null }[];
}

const RUNS = `query { analysisRuns(filter: { cluster: "staging", namespace: "guestbook" }) {
  nodes { name kind phase message measurements { metricName phase value } } } }`;

/**
 * The demo of `npm start` as it starts on a prepared checkout (scripts/demo.sh: the simulator with its Prometheus,
 * the API, a worker, four agents and the demo bootstrap), on ports, a home, a database and a Redis prefix of its own.
 */
describe('the npm start demo', () => {
  let demo: ChildProcess;
  let home: string;
  let apiUrl: string;
  let token: string;
  let output = '';

  const query = <D>(text: string, variables: Record<string, unknown> = {}): Promise<D> => graphqlData<D>(apiUrl, token, text, variables);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-demo-'));
    const [port, simulatorPort, workerPort, metricsPort, apiMetricsPort, workerMetricsPort] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    apiUrl = `http://127.0.0.1:${port}`;
    demo = spawn('bash', ['scripts/demo.sh'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: `demo-${randomUUID().slice(0, 8)}`,
        PORT: String(port),
        KUBE_SIM_PORT: String(simulatorPort),
        WORKER_HEALTH_PORT: String(workerPort),
        DEMO_METRICS_PORT: String(metricsPort),
        API_METRICS_PORT: String(apiMetricsPort),
        WORKER_METRICS_PORT: String(workerMetricsPort),
        FLOTILLA_HOME: home,
        LOG_LEVEL: 'warn',
      },
    });
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      () => {
        if (demo.exitCode !== null) throw new Error(`the demo stopped (${demo.exitCode}):\n${output}`);
        return output.includes(READY_LINE);
      },
      150_000,
      'the demo to be up',
    );
    token = (await readFile(join(home, 'token'), 'utf8')).trim();
  }, 160_000);

  afterAll(async () => {
    // The script stops its processes in order on SIGTERM, agents first.
    demo.kill('SIGTERM');
    if ((await exitOf(demo, 40_000)) === undefined) demo.kill('SIGKILL');
    await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('lists the standalone Experiment and ends its analysis, measured centrally; measures a release of guestbook in staging through its agent', async () => {
    const { experiments } = await query<{ experiments: { nodes: { name: string; cluster: string; rollout: string | null }[] } }>(
      'query { experiments(filter: { namespace: "guestbook" }) { nodes { name cluster rollout } } }',
    );
    expect(experiments.nodes).toEqual([{ name: 'guestbook-purple', cluster: 'staging', rollout: null }]);

    await query(
      'mutation { setImage(rollout: { cluster: "staging", namespace: "guestbook", name: "guestbook" }, container: "guestbook", image: "argoproj/rollouts-demo:yellow") { id } }',
    );
    // The Experiment's run started with the demo and ends after its fourth measurement; the canary's has just begun.
    const runs = await eventually(
      async () => {
        const { analysisRuns } = await query<{ analysisRuns: { nodes: RunView[] } }>(RUNS);
        const experimentRun = analysisRuns.nodes.find((run) => run.kind === 'experiment');
        const stepRun = analysisRuns.nodes.find((run) => run.kind === 'step');
        const measured = (metric: string): boolean =>
          stepRun?.measurements.some((measurement) => measurement.metricName === metric && measurement.phase !== 'Running') ?? false;
        return experimentRun?.phase !== 'Running' && measured('success-rate') && measured('p95-latency') && { experimentRun, stepRun };
      },
      90_000,
      'the Experiment’s analysis run to end and the canary step’s to measure',
    );
    const values = (run: RunView | undefined, metric: string): number[] =>
      (run?.measurements ?? [])
        .filter((measurement) => measurement.metricName === metric && measurement.value !== null)
        .map((measurement) => (JSON.parse(measurement.value ?? '[]') as number[])[0] ?? NaN);
    expect(runs.experimentRun).toMatchObject({ name: 'guestbook-purple-candidate-latency', phase: 'Successful' });
    expect(values(runs.experimentRun, 'p95-latency')).toHaveLength(4);
    const stepPhases = runs.stepRun?.measurements.map((measurement) => measurement.phase);
    expect(stepPhases?.filter((phase) => phase !== 'Running' && phase !== 'Successful')).toEqual([]);
    for (const latency of [...values(runs.experimentRun, 'p95-latency'), ...values(runs.stepRun, 'p95-latency')])
      expect(latency).toBeLessThan(0.5);
    for (const ratio of values(runs.stepRun, 'success-rate')) expect(ratio).toBeGreaterThanOrEqual(0.95);

    await eventually(
      async () => {
        const { experiment } = await query<{ experiment: { phase: string } }>(
          'query { experiment(cluster: "staging", namespace: "guestbook", name: "guestbook-purple") { phase } }',
        );
        return experiment.phase === 'Successful';
      },
      20_000,
      'the Experiment to end Successful once its required analysis has',
    );
  }, 120_000);

  it('runs every command of the console blocks of README.md and apps/cli/README.md, in order, each exiting 0', async () => {
    // A reader's checkout, with the demo's .flotilla in it and the manifests the commands name.
    const reader = await mkdtemp(join(tmpdir(), 'flotilla-reader-'));
    await symlink(home, join(reader, '.flotilla'));
    await symlink(join(ROOT, 'deploy'), join(reader, 'deploy'));
    const environment = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('FLOTILLA_')));
    const path = `${join(ROOT, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`;
    // What a reader watches for with the --watch lines, which are not run, before typing the next command.
    const watchedFor: Record<string, () => Promise<unknown>> = {
      'flotilla get rollout guestbook --watch': () =>
        eventually(
          async () => (await query<{ rollout: { phase: string } }>(GUESTBOOK_PHASE)).rollout.phase === 'Paused',
          90_000,
          'guestbook in staging to pause',
        ),
      'flotilla get rollout guestbook --cluster production --watch': () =>
        eventually(
          async () => (await query<{ rollout: { phase: string } }>(GUESTBOOK_PRODUCTION_PHASE)).rollout.phase === 'Paused',
          60_000,
          'guestbook in production to wait for its promotion',
        ),
      'flotilla fleet get podinfo --watch': () =>
        eventually(
          async () => {
            const { fleetRelease } = await query<{ fleetRelease: { waves: { gates: { gate: string; state: string }[] }[] } }>(
              PODINFO_GATES,
            );
            return fleetRelease.waves.some((wave) => wave.gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting'));
          },
          90_000,
          'production-eu to wait for its approval',
        ),
    };
    const commands = [
      ...consoleCommands(join(ROOT, 'README.md'), 'README.md'),
      ...consoleCommands(join(ROOT, 'apps/cli/README.md'), 'apps/cli/README.md'),
    ];
    const blocks = [...new Set(commands.map((command) => command.block))];
    // Each block's commands in order, as a reader types them, and blocks at the same time, since none needs another's
    // outcome; except that those on guestbook in production (apps/cli/README.md's example session, then its freeze of
    // that rollout) run one after the other.
    const inProduction = (block: string): boolean =>
      commands.some((command) => command.block === block && command.line.includes('--cluster production'));
    const runBlock = async (block: string): Promise<void> => {
      // A home of its own, for its contexts and files.
      const blockHome = await mkdtemp(join(reader, 'home-'));
      const shell = { ...environment, HOME: blockHome, XDG_CONFIG_HOME: join(blockHome, '.config'), PATH: path };
      for (const command of commands.filter((candidate) => candidate.block === block)) {
        const typed = command.line.replace(/\s+#.*$/, '');
        if (command.notRun !== undefined) await watchedFor[typed]?.();
        else {
          const result = await shellLine(command.line, reader, shell);
          expect(result.exitCode, `${command.where}: ${command.line}\n${result.output}`).toBe(0);
        }
      }
    };
    try {
      const oneAfterAnother = async (chain: string[]): Promise<void> => {
        for (const block of chain) await runBlock(block);
      };
      await Promise.all([...blocks.filter((block) => !inProduction(block)).map(runBlock), oneAfterAnother(blocks.filter(inProduction))]);
    } finally {
      await rm(reader, { recursive: true, force: true });
    }
  }, 300_000);
});

/** Runs one command line with bash, as a reader's shell would. */
function shellLine(line: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd, env, timeout: 300_000 }, (error, stdout, stderr) =>
      resolve({ exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` }),
    );
  });
}

const GUESTBOOK_PHASE = 'query { rollout(cluster: "staging", namespace: "guestbook", name: "guestbook") { phase } }';
const GUESTBOOK_PRODUCTION_PHASE = 'query { rollout(cluster: "production", namespace: "guestbook", name: "guestbook") { phase } }';
const PODINFO_GATES = 'query { fleetRelease(fleetRollout: "podinfo") { waves { gates { gate state } } } }';
