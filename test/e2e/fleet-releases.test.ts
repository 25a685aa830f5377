import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { E2eSystem } from '../support/e2e-system.js';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { eventually } from '../support/processes.js';

/**
 * Fleet releases across six clusters, each process real: the simulator, the API, a worker and an agent per cluster.
 * Every scenario has its own application (a namespace and Rollout of the same name in every cluster) and its own
 * FleetRollout, so that the first ones run side by side; those that stop a process run alone, after them.
 */
const CLUSTERS = {
  stg: { env: 'staging', region: 'eu' },
  'eu-1': { env: 'prod', region: 'eu' },
  'eu-2': { env: 'prod', region: 'eu' },
  'us-1': { env: 'prod', region: 'us' },
  'us-2': { env: 'prod', region: 'us' },
  'ap-1': { env: 'prod', region: 'ap' },
} as const;
type Cluster = keyof typeof CLUSTERS;
const ALL = Object.keys(CLUSTERS) as Cluster[];

type Step = { setWeight: number } | { pause: { duration?: string } };

interface ReleaseView {
  number: number;
  phase: string;
  message: string;
  currentWave: number;
  waves: {
    name: string;
    phase: string;
    gates: { gate: string; state: string }[];
    members: { cluster: string; state: string; message: string }[];
  }[];
}

/** A scenario deploys an application to its clusters and follows a release to its end: minutes on a loaded machine. */
const SCENARIO_TIMEOUT_MS = 240_000;

const RELEASE_FIELDS = 'number phase message currentWave waves { name phase gates { gate state } members { cluster state message } }';

let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start({ clusters: CLUSTERS, podReadyDelayMs: 200 });
}, 90_000);

afterAll(async () => {
  await system?.stop();
});

/** One application in some clusters, and the FleetRollout that releases it. */
class FleetApp {
  readonly fleetRollout: string;

  private constructor(
    readonly name: string,
    private readonly spaces: Map<Cluster, E2eNamespace>,
  ) {
    this.fleetRollout = name;
  }

  /** Deploys image `shop/<name>:1` as a canary with `steps` to every cluster of `clusters`, and waits until each is Healthy. */
  static async deploy(prefix: string, steps: Step[], clusters: readonly Cluster[] = ALL, progressDeadlineSeconds = 600): Promise<FleetApp> {
    const name = `${prefix}-${randomUUID().slice(0, 6)}`;
    const spaces = new Map<Cluster, E2eNamespace>();
    for (const cluster of clusters) spaces.set(cluster, await E2eNamespace.named(system, cluster, name));
    const app = new FleetApp(name, spaces);
    const manifest = stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        replicas: 2,
        progressDeadlineSeconds,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `shop/${name}:1` }] } },
        strategy: { canary: { steps } },
      },
    });
    await Promise.all([...spaces.values()].map((space) => space.applyManifests(manifest)));
    await Promise.all([...spaces.values()].map((space) => space.waitForPhase(name, 'Healthy')));
    return app;
  }

  space(cluster: Cluster): E2eNamespace {
    const space = this.spaces.get(cluster);
    if (!space) throw new Error(`${this.name} is not deployed to ${cluster}`);
    return space;
  }

  /** Applies the FleetRollout (admin: an organization-scoped document, without cluster or namespace). */
  async applyFleetRollout(spec: Record<string, unknown>): Promise<void> {
    const yaml = stringify({
      apiVersion: 'flotilla.io/v1alpha1',
      kind: 'FleetRollout',
      metadata: { name: this.fleetRollout },
      spec: { rollout: { namespace: this.name, name: this.name }, ...spec },
    });
    await system.graphql(system.tokens.admin, 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }', { yaml });
  }

  async release(tag: string, reason = `release ${tag}`): Promise<number> {
    const data = await system.graphql<{ releaseFleet: { number: number } }>(
      system.tokens.deployer,
      'mutation($f: String!, $image: String!, $reason: String) { releaseFleet(fleetRollout: $f, image: $image, container: "app", reason: $reason) { number } }',
      { f: this.fleetRollout, image: this.image(tag), reason },
    );
    return data.releaseFleet.number;
  }

  image(tag: string): string {
    return `shop/${this.name}:${tag}`;
  }

  /** `promoteWave`, `approveWave`, … as the deployer asks for it. */
  async operate(operation: string, reason = 'checked by hand'): Promise<ReleaseView> {
    const data = await system.graphql<Record<string, ReleaseView>>(
      system.tokens.deployer,
      `mutation($f: String!, $reason: String) { ${operation}(fleetRollout: $f, reason: $reason) { ${RELEASE_FIELDS} } }`,
      { f: this.fleetRollout, reason },
    );
    return data[operation]!;
  }

  async current(): Promise<ReleaseView> {
    const data = await system.graphql<{ fleetRelease: ReleaseView | null }>(
      system.tokens.deployer,
      `query($f: String!) { fleetRelease(fleetRollout: $f) { ${RELEASE_FIELDS} } }`,
      { f: this.fleetRollout },
    );
    if (!data.fleetRelease) throw new Error(`${this.fleetRollout} has no release`);
    return data.fleetRelease;
  }

  /** Waits until the current release satisfies `condition`; on timeout the error shows where it stands. */
  async waitFor(what: string, condition: (release: ReleaseView) => boolean, timeoutMs = 60_000): Promise<ReleaseView> {
    let last: ReleaseView | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.current();
          return condition(last) ? last : undefined;
        },
        timeoutMs,
        `${this.fleetRollout} ${what}`,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n  release: ${JSON.stringify(last)}`);
    }
  }

  /** The fleet's template changes of the members, in audit order, as `cluster` names. */
  async templateChanges(action = 'rollout.fleet_template_changed'): Promise<{ cluster: string; sequence: number }[]> {
    const rows = await system.database.auditEvent.findMany({
      where: { action, targetName: { endsWith: `/${this.name}/${this.name}` } },
      orderBy: { sequence: 'asc' },
      select: { targetName: true, sequence: true },
    });
    return rows.map((row) => ({ cluster: row.targetName.split('/')[0]!, sequence: row.sequence }));
  }

  /** The release's own audit events, oldest first: `type` with its wave and cluster. */
  async events(number: number): Promise<{ type: string; wave?: string; cluster?: string; sequence: number }[]> {
    const rows = await system.database.auditEvent.findMany({
      where: { targetType: 'FleetRelease', targetName: `${this.fleetRollout}#${number}` },
      orderBy: { sequence: 'asc' },
      select: { action: true, after: true, sequence: true },
    });
    return rows.map((row) => {
      const after = (row.after ?? {}) as { wave?: string; cluster?: string };
      return { type: row.action.replace('fleet_release.', ''), wave: after.wave, cluster: after.cluster, sequence: row.sequence };
    });
  }

  /** The images of the ReplicaSets the cluster holds for the application. */
  async heldImages(cluster: Cluster): Promise<string[]> {
    return [...new Set((await this.space(cluster).replicaSets(this.name)).map((replicaSet) => replicaSet.image ?? ''))].sort();
  }

  async specImage(cluster: Cluster): Promise<string> {
    const data = await system.graphql<{ rollout: { spec: { template: { spec: { containers: { image: string }[] } } } } }>(
      system.tokens.deployer,
      'query($c: String!, $n: String!) { rollout(cluster: $c, namespace: $n, name: $n) { spec } }',
      { c: cluster, n: this.name },
    );
    return data.rollout.spec.template.spec.containers[0]!.image;
  }
}

const waveOf = (release: ReleaseView, name: string) => release.waves.find((wave) => wave.name === name)!;

describe.concurrent('fleet releases across six clusters', () => {
  it(
    'carries a release through three waves in order, never more members of a wave at once than maxParallel',
    async () => {
      const app = await FleetApp.deploy('waves', [{ setWeight: 50 }, { pause: { duration: '1s' } }]);
      await app.applyFleetRollout({
        waves: [
          { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } },
          { name: 'eu', clusterSelector: { matchLabels: { region: 'eu' } }, maxParallel: 1 },
          { name: 'rest', maxParallel: 2 },
        ],
      });

      const number = await app.release('2');
      const done = await app.waitFor('to succeed', (release) => release.phase === 'Succeeded', 120_000);

      expect(done.waves.map((wave) => [wave.name, wave.phase, wave.members.map((member) => member.cluster)])).toEqual([
        ['staging', 'Passed', ['stg']],
        ['eu', 'Passed', ['eu-1', 'eu-2']],
        ['rest', 'Passed', ['ap-1', 'us-1', 'us-2']],
      ]);
      // Each member changed once, and every wave only after the one before it passed
      const changes = await app.templateChanges();
      expect(changes.map((change) => change.cluster).sort()).toEqual([...ALL].sort());
      const events = await app.events(number);
      const passed = (wave: string) => events.find((event) => event.type === 'WavePassed' && event.wave === wave)!.sequence;
      const changedAt = (cluster: string) => changes.find((change) => change.cluster === cluster)!.sequence;
      expect(changedAt('eu-1')).toBeGreaterThan(passed('staging'));
      expect(Math.min(changedAt('us-1'), changedAt('us-2'), changedAt('ap-1'))).toBeGreaterThan(passed('eu'));
      // maxParallel: at no point more members of a wave changed and not yet released than it allows
      const inFlight = (members: string[]) => {
        let changing = 0;
        let most = 0;
        for (const event of events.filter((candidate) => members.includes(candidate.cluster ?? ''))) {
          if (event.type === 'MemberChanged') most = Math.max(most, ++changing);
          if (event.type === 'MemberReleased') changing -= 1;
        }
        return most;
      };
      expect(inFlight(['eu-1', 'eu-2'])).toBe(1);
      expect(inFlight(['ap-1', 'us-1', 'us-2'])).toBe(2);
      for (const cluster of ALL) expect(await app.specImage(cluster)).toBe(app.image('2'));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'halts on a bad image in the first wave; later clusters are never touched',
    async () => {
      const app = await FleetApp.deploy('halt', [{ setWeight: 50 }, { pause: { duration: '1s' } }], ALL, 8);
      await app.applyFleetRollout({
        waves: [{ name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } }, { name: 'production' }],
        failurePolicy: 'halt',
      });

      await app.release('bad');
      const halted = await app.waitFor('to halt', (release) => release.phase === 'Halted', 90_000);

      expect(halted.message).toContain('stg');
      expect(waveOf(halted, 'staging').members[0]).toMatchObject({ cluster: 'stg', state: 'Failed' });
      expect(waveOf(halted, 'production').phase).toBe('Pending');
      expect(await app.templateChanges()).toEqual([expect.objectContaining({ cluster: 'stg' })]);
      for (const cluster of ALL.filter((name) => name !== 'stg')) {
        expect(await app.heldImages(cluster)).toEqual([app.image('1')]);
        expect(await app.specImage(cluster)).toBe(app.image('1'));
      }
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'rolls back every released member when a later wave fails under rollbackAll',
    async () => {
      const app = await FleetApp.deploy('rollback', [{ setWeight: 50 }, { pause: {} }], ['stg', 'eu-1', 'eu-2', 'us-1']);
      await app.applyFleetRollout({
        clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'us'] }] },
        waves: [
          { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } },
          { name: 'eu', clusterSelector: { matchLabels: { region: 'eu' } }, maxParallel: 1 },
          { name: 'rest' },
        ],
        failurePolicy: 'rollbackAll',
      });
      await app.release('2');

      // staging waits at its pause; one act promotes the wave
      await app.waitFor('to pause in staging', (release) => waveOf(release, 'staging').members[0]!.state === 'Changing');
      await app.space('stg').waitForPhase(app.name, 'Paused');
      await app.operate('promoteWave');
      await app.waitFor('to start the eu wave', (release) => waveOf(release, 'eu').members.some((member) => member.state === 'Changing'));
      // an eu member aborted by hand fails the wave
      await app.space('eu-1').waitForPhase(app.name, 'Paused');
      await app.space('eu-1').operate('abort', app.name);

      const rolledBack = await app.waitFor('to roll back', (release) => release.phase === 'RolledBack', 90_000);
      expect(rolledBack.message).toContain('eu-1');
      expect((await app.templateChanges('rollout.fleet_template_restored')).map((change) => change.cluster).sort()).toEqual([
        'eu-1',
        'stg',
      ]);
      await app.space('stg').waitForPhase(app.name, 'Healthy');
      expect(await app.specImage('stg')).toBe(app.image('1'));
      expect(await app.specImage('eu-1')).toBe(app.image('1'));
      for (const cluster of ['eu-2', 'us-1'] as const) expect(await app.heldImages(cluster)).toEqual([app.image('1')]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'waits for a manual approval, recorded with who and why, and promotes a paused wave in one act',
    async () => {
      const app = await FleetApp.deploy('approval', [{ setWeight: 50 }, { pause: {} }], ['stg', 'us-1', 'us-2']);
      await app.applyFleetRollout({
        clusterSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['ap'] }] },
        waves: [
          { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
          { name: 'us', clusterSelector: { matchLabels: { region: 'us' } } },
        ],
      });
      const number = await app.release('2');

      await app.space('stg').waitForPhase(app.name, 'Paused');
      await app.operate('promoteWave');
      const waiting = await app.waitFor('to wait for approval', (release) =>
        waveOf(release, 'staging').gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting'),
      );
      expect(waveOf(waiting, 'us').phase).toBe('Pending');
      expect(await app.heldImages('us-1')).toEqual([app.image('1')]);

      await app.operate('approveWave', 'staging looks good');
      await app.waitFor('to pause in us', (release) => waveOf(release, 'us').members.every((member) => member.state === 'Changing'));
      await Promise.all((['us-1', 'us-2'] as const).map((cluster) => app.space(cluster).waitForPhase(app.name, 'Paused')));
      await app.operate('promoteWave');
      await app.waitFor('to succeed', (release) => release.phase === 'Succeeded');

      const approval = await system.database.auditEvent.findFirst({
        where: { targetName: `${app.fleetRollout}#${number}`, action: 'fleet_release.approveWave' },
      });
      expect(approval).toMatchObject({ actor: 'token:deployer', reason: 'staging looks good' });
    },
    SCENARIO_TIMEOUT_MS,
  );
});

describe('fleet releases when processes fail', () => {
  it(
    'finishes after its worker is killed and Redis is flushed mid-release, each member changed exactly once',
    async () => {
      const app = await FleetApp.deploy('crash', [{ setWeight: 50 }, { pause: { duration: '2s' } }]);
      await app.applyFleetRollout({
        waves: [
          { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
          { name: 'production', maxParallel: 2 },
        ],
      });
      await app.release('2');
      // Between the waves, with nothing of the release in flight: the worker goes, and every job and timer with Redis
      await app.waitFor('to wait for approval', (release) =>
        waveOf(release, 'staging').gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting'),
      );
      await system.killWorker();
      expect(await system.deleteRedisKeys()).toBeGreaterThan(0);
      await system.startWorker();

      await app.operate('approveWave');
      await app.waitFor('to succeed', (release) => release.phase === 'Succeeded', 120_000);
      expect((await app.templateChanges()).map((change) => change.cluster).sort()).toEqual([...ALL].sort());
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'lets a wave wait for a disconnected cluster, then fails it once the timeout passes',
    async () => {
      const app = await FleetApp.deploy('lost', [{ setWeight: 50 }, { pause: { duration: '1s' } }], ['stg', 'ap-1']);
      await app.applyFleetRollout({
        clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'ap'] }] },
        waves: [
          { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
          { name: 'ap', clusterSelector: { matchLabels: { region: 'ap' } }, disconnectedTimeoutSeconds: 8 },
        ],
      });
      await app.release('2');
      await app.waitFor('to wait for approval', (release) =>
        waveOf(release, 'staging').gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting'),
      );
      await system.killAgent('ap-1');
      try {
        await system.waitForConnectionState('ap-1', 'Disconnected');
        await app.operate('approveWave');

        const waiting = await app.waitFor('to wait for ap-1', (release) => waveOf(release, 'ap').phase === 'Progressing');
        expect(waiting.phase).toBe('Progressing');
        expect(waveOf(waiting, 'ap').members[0]?.state).not.toBe('Failed');

        const halted = await app.waitFor('to fail the ap wave', (release) => release.phase === 'Halted', 60_000);
        expect(waveOf(halted, 'ap').phase).toBe('Failed');
        expect(waveOf(halted, 'ap').members[0]).toMatchObject({ cluster: 'ap-1', state: 'Failed' });
        expect(halted.message).toMatch(/ap-1.*disconnected/);
      } finally {
        system.startAgent('ap-1');
      }
    },
    SCENARIO_TIMEOUT_MS,
  );
});
