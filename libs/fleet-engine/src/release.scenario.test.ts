import { describe, expect, it } from 'vitest';
import type { FailurePolicy, FleetRolloutSpec } from './fleet-rollout-spec.js';
import type { FleetChange, ReleaseEventType } from './release-types.js';
import { appTemplate, FleetSimulation, type FleetSimulationOptions } from './testing/fleet-simulation.js';
import type { FleetCluster } from './wave-plan.js';

const clusters: FleetCluster[] = [
  { name: 'staging', labels: { env: 'staging' } },
  { name: 'prod-eu-1', labels: { env: 'prod', region: 'eu-west-1' } },
  { name: 'prod-eu-2', labels: { env: 'prod', region: 'eu-west-1' } },
  { name: 'prod-us-1', labels: { env: 'prod', region: 'us-east-1' } },
  { name: 'prod-us-2', labels: { env: 'prod', region: 'us-east-1' } },
  { name: 'prod-ap-1', labels: { env: 'prod', region: 'ap-southeast-1' } },
];

const fleetSpec = (overrides: Partial<FleetRolloutSpec> = {}): FleetRolloutSpec => ({
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [
    { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, soakSeconds: 30 },
    { name: 'production-eu', clusterSelector: { matchLabels: { env: 'prod', region: 'eu-west-1' } }, maxParallel: 1 },
    { name: 'production-rest', maxParallel: '50%' },
  ],
  ...overrides,
});

const toV2: FleetChange = { type: 'image', container: 'app', image: 'shop/app:2' };

const simulate = (options: Partial<FleetSimulationOptions> = {}): FleetSimulation =>
  new FleetSimulation({ spec: fleetSpec(), change: toV2, clusters, ...options });

const imageOf = (simulation: FleetSimulation, cluster: string): string | undefined =>
  simulation.rollout(cluster)?.template.spec.containers[0]?.image;
const eventTypes = (simulation: FleetSimulation): ReleaseEventType[] => simulation.events.map((event) => event.type);
const waveOf = (simulation: FleetSimulation, name: string) => simulation.status.waves.find((wave) => wave.name === name);

/** Steps until the release reaches the wave, or gives up after 100 steps. */
function runToWave(simulation: FleetSimulation, wave: number): void {
  for (let round = 0; round < 100 && simulation.status.currentWave < wave; round += 1) simulation.step();
  expect(simulation.status.currentWave).toBe(wave);
}

describe('a fleet release wave by wave', () => {
  it('releases every member in its wave, maxParallel at a time, through the soak, and succeeds', () => {
    const simulation = simulate();
    let mostChangingInEu = 0;
    for (let round = 0; round < 40 && simulation.status.phase === 'Progressing'; round += 1) {
      simulation.step();
      const changing = waveOf(simulation, 'production-eu')?.members.filter((member) => member.state === 'Changing').length ?? 0;
      mostChangingInEu = Math.max(mostChangingInEu, changing);
    }
    expect(simulation.status.phase).toBe('Succeeded');
    expect(simulation.status.currentWave).toBe(3);
    expect(mostChangingInEu).toBe(1);
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:2');
    expect(simulation.status.waves.map((wave) => wave.phase)).toEqual(['Passed', 'Passed', 'Passed']);
    expect(simulation.status.waves.flatMap((wave) => wave.members.map((member) => member.state))).toEqual(Array(6).fill('Released'));
    expect(simulation.status.waves[0]?.gates.map((gate) => [gate.gate, gate.state])).toEqual([
      ['healthy', 'Passed'],
      ['soak', 'Passed'],
    ]);
    const types = eventTypes(simulation);
    expect(types.filter((type) => type === 'WaveStarted')).toHaveLength(3);
    expect(types.filter((type) => type === 'WavePassed')).toHaveLength(3);
    expect(types.filter((type) => type === 'MemberChanged')).toHaveLength(6);
    expect(types.at(-1)).toBe('ReleaseSucceeded');
    expect(types.filter((type) => type === 'ReleaseSucceeded')).toHaveLength(1);
    expect(simulation.status.finishedAt).not.toBeNull();
  });

  it('records the template the member had before, and changes each member once', () => {
    const simulation = simulate();
    simulation.run();
    const changes = simulation.decisions.flatMap((decision) => decision.memberChanges);
    expect(changes.map((change) => change.cluster).sort()).toEqual(clusters.map((cluster) => cluster.name).sort());
    expect(changes.every((change) => change.purpose === 'release')).toBe(true);
    const member = simulation.status.waves[1]?.members[0];
    expect(member?.previousTemplate).toEqual(appTemplate('shop/app:1'));
    expect(member?.targetHash).not.toBe(member?.previousHash);
  });

  it('soaks the wave for soakSeconds after its last member was released, waking up at the soak end', () => {
    const simulation = simulate({ secondsPerStep: 1 });
    let decision = simulation.step();
    while (waveOf(simulation, 'staging')?.healthySince === null) decision = simulation.step();
    const healthySince = new Date(waveOf(simulation, 'staging')?.healthySince ?? '');
    const soakEnd = new Date(healthySince.getTime() + 30_000);
    expect(decision.wakeAt).toEqual(soakEnd);
    expect(waveOf(simulation, 'staging')?.gates.find((gate) => gate.gate === 'soak')).toMatchObject({
      state: 'Waiting',
      until: soakEnd.toISOString(),
    });
    simulation.now = new Date(soakEnd.getTime() - 1);
    simulation.step();
    expect(simulation.status.currentWave).toBe(0);
    simulation.now = soakEnd;
    const passed = simulation.step();
    expect(simulation.status.currentWave).toBe(1);
    expect(passed.memberChanges.map((change) => change.cluster)).toEqual(['prod-eu-1']);
  });

  it('starts the soak again when a member leaves Healthy during it', () => {
    const simulation = simulate({ secondsPerStep: 1 });
    while (waveOf(simulation, 'staging')?.healthySince === null) simulation.step();
    simulation.advanceSeconds(20);
    simulation.setTemplateOutside('staging', appTemplate('shop/app:2'));
    simulation.step();
    expect(waveOf(simulation, 'staging')?.healthySince).toBeNull();
    expect(simulation.memberState('staging')).toBe('Released');
    while (waveOf(simulation, 'staging')?.healthySince === null) simulation.step();
    expect(waveOf(simulation, 'staging')?.gates.find((gate) => gate.gate === 'soak')?.state).toBe('Waiting');
  });

  it('waits for a manual approval after the soak, and starts the next wave as soon as it is given', () => {
    const spec = fleetSpec();
    spec.waves[0] = { ...spec.waves[0], name: 'staging', approval: 'manual', soakSeconds: 0 };
    const simulation = simulate({ spec });
    simulation.run(10);
    expect(simulation.status.currentWave).toBe(0);
    expect(waveOf(simulation, 'staging')?.gates.map((gate) => [gate.gate, gate.state])).toEqual([
      ['healthy', 'Passed'],
      ['soak', 'Passed'],
      ['approval', 'Waiting'],
    ]);
    expect(simulation.step().wakeAt).toBeNull();
    const result = simulation.operate({ type: 'approveWave', wave: 'staging', by: 'ada', reason: 'looks good' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.decision.events.map((event) => event.type)).toEqual([
      'WaveApproved',
      'GatePassed',
      'WavePassed',
      'WaveStarted',
      'MemberChanged',
    ]);
    expect(result.decision.memberChanges.map((change) => change.cluster)).toEqual(['prod-eu-1']);
    expect(waveOf(simulation, 'staging')?.approval).toMatchObject({ by: 'ada', reason: 'looks good' });
  });

  it('replaces the whole template with a template change, and keeps a member already on it without a change', () => {
    const target = appTemplate('shop/app:9');
    const simulation = simulate({ change: { type: 'template', template: target }, templates: { 'prod-eu-1': target } });
    simulation.run();
    expect(simulation.status.phase).toBe('Succeeded');
    const changed = simulation.decisions.flatMap((decision) => decision.memberChanges.map((change) => change.cluster));
    expect(changed).not.toContain('prod-eu-1');
    expect(changed).toHaveLength(5);
    expect(simulation.status.waves[1]?.members[0]).toMatchObject({ cluster: 'prod-eu-1', state: 'Released', previousTemplate: null });
  });

  it('passes over a missing member when the wave allows it, and fails the wave otherwise', () => {
    const allowing = fleetSpec();
    allowing.waves[2] = { ...allowing.waves[2], name: 'production-rest', allowMissing: true };
    const skipped = simulate({ spec: allowing, templates: { 'prod-us-2': null } });
    skipped.run();
    expect(skipped.status.phase).toBe('Succeeded');
    expect(skipped.memberState('prod-us-2')).toBe('Skipped');
    const failing = simulate({ templates: { 'prod-us-2': null } });
    failing.run();
    expect(failing.status).toMatchObject({ phase: 'Halted', currentWave: 2 });
    expect(failing.status.message).toBe('halted: wave 3/3 production-rest failed: prod-us-2: the cluster has no such Rollout');
  });

  it('fails a member whose template has no such container, with a clear message', () => {
    const simulation = simulate({ change: { type: 'image', container: 'sidecar', image: 'proxy:2' } });
    simulation.step();
    expect(simulation.status.phase).toBe('Halted');
    expect(simulation.status.waves[0]?.members[0]).toMatchObject({
      state: 'Failed',
      message: 'its pod template has no container named "sidecar"',
    });
  });
});

describe('failures and the failure policy', () => {
  /** prod-eu-1 and prod-eu-2 change together; prod-eu-1 goes Degraded on the new image after staging passed. */
  function failingInEu(failurePolicy: FailurePolicy): FleetSimulation {
    const spec = fleetSpec({ failurePolicy });
    spec.waves[1] = { ...spec.waves[1], name: 'production-eu', maxParallel: 2 };
    const simulation = simulate({ spec });
    simulation.pausingClusters.add('prod-eu-2');
    runToWave(simulation, 1);
    simulation.step();
    expect(simulation.rollout('prod-eu-2')?.waitsAtPause).toBe(true);
    simulation.rollouts.set('prod-eu-1', { ...(simulation.rollout('prod-eu-1') ?? failedRollout()), phase: 'Degraded', reconciled: true });
    return simulation;
  }
  const failedRollout = () => ({
    template: appTemplate('x'),
    phase: 'Degraded' as const,
    reconciled: true,
    fullyPromoted: false,
    aborted: false,
    waitsAtPause: false,
    stepsLeft: 0,
  });

  it.each<[FailurePolicy, string[], string]>([
    ['halt', [], 'halted: wave 2/3 production-eu failed: prod-eu-1: its rollout is Degraded'],
    [
      'rollbackWave',
      ['prod-eu-1', 'prod-eu-2'],
      "halted: wave 2/3 production-eu failed: prod-eu-1: its rollout is Degraded; the wave's changing members were aborted",
    ],
  ])('%s: halts naming the wave, the member and the reason; aborts %j', (policy, aborted, message) => {
    const simulation = failingInEu(policy);
    const decision = simulation.step();
    expect(simulation.status).toMatchObject({ phase: 'Halted', message, currentWave: 1 });
    expect(decision.memberOperations).toEqual(aborted.map((cluster) => ({ cluster, operation: { type: 'abort' } })));
    expect(decision.events.map((event) => event.type)).toEqual(['MemberFailed', 'GateFailed', 'WaveFailed', 'ReleaseHalted']);
    expect(waveOf(simulation, 'production-eu')).toMatchObject({ phase: 'Failed' });
    expect(waveOf(simulation, 'production-eu')?.gates[0]).toMatchObject({ gate: 'healthy', state: 'Failed' });
    expect(simulation.memberState('prod-eu-1')).toBe('Failed');
    expect(imageOf(simulation, 'staging')).toBe('shop/app:2');
    const halted = simulation.status;
    simulation.advanceSeconds(3600);
    expect(simulation.step()).toEqual({
      status: halted,
      memberChanges: [],
      memberOperations: [],
      events: [],
      analysisRunsToStart: [],
      wakeAt: null,
    });
  });

  it('rollbackAll: aborts the changing members of the failing wave, then sets every changed member back, wave by wave in reverse', () => {
    const simulation = failingInEu('rollbackAll');
    const failed = simulation.step();
    expect(simulation.status.phase).toBe('RollingBack');
    expect(failed.memberOperations).toEqual([
      { cluster: 'prod-eu-1', operation: { type: 'abort' } },
      { cluster: 'prod-eu-2', operation: { type: 'abort' } },
    ]);
    expect(failed.memberChanges).toEqual([
      { cluster: 'prod-eu-1', template: appTemplate('shop/app:1'), purpose: 'rollback' },
      { cluster: 'prod-eu-2', template: appTemplate('shop/app:1'), purpose: 'rollback' },
    ]);
    expect(imageOf(simulation, 'staging')).toBe('shop/app:2');
    const rolledBackOrder: string[] = [];
    for (let round = 0; round < 20 && simulation.status.phase === 'RollingBack'; round += 1)
      for (const change of simulation.step().memberChanges) rolledBackOrder.push(change.cluster);
    expect(rolledBackOrder).toEqual(['staging']);
    expect(simulation.status).toMatchObject({ phase: 'RolledBack', currentWave: 0 });
    expect(simulation.status.finishedAt).not.toBeNull();
    expect(simulation.status.waves.map((wave) => wave.phase)).toEqual(['RolledBack', 'RolledBack', 'Pending']);
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:1');
    expect(simulation.memberState('staging')).toBe('RolledBack');
    expect(simulation.memberState('prod-us-1')).toBe('Pending');
    expect(eventTypes(simulation).filter((type) => type === 'MemberRolledBack')).toHaveLength(3);
    expect(eventTypes(simulation).at(-1)).toBe('ReleaseRolledBack');
  });

  it('rollbackAll: a member whose cluster stays disconnected past the timeout fails, and the rollback goes on to the first wave', () => {
    const simulation = failingInEu('rollbackAll');
    const lostAt = simulation.now;
    const deadline = new Date(lostAt.getTime() + 600_000);
    simulation.disconnectedSince.set('prod-eu-2', lostAt);
    expect(simulation.step().wakeAt).toEqual(deadline);
    for (let round = 0; round < 5; round += 1) expect(simulation.step().wakeAt).toEqual(deadline);
    expect(simulation.status).toMatchObject({ phase: 'RollingBack', currentWave: 1 });
    expect(simulation.memberState('prod-eu-1')).toBe('RolledBack');
    expect(simulation.memberState('prod-eu-2')).toBe('RollingBack');

    simulation.now = deadline;
    simulation.run();
    expect(simulation.memberState('prod-eu-2')).toBe('Failed');
    expect(simulation.memberState('staging')).toBe('RolledBack');
    expect(imageOf(simulation, 'staging')).toBe('shop/app:1');
    expect(simulation.status.waves.map((wave) => wave.phase)).toEqual(['RolledBack', 'RolledBack', 'Pending']);
    expect(simulation.status.phase).toBe('RolledBack');
    expect(simulation.status.message).toMatch(
      /^rolled back, except prod-eu-2: set back, but their clusters stayed disconnected past the timeout \(failure policy rollbackAll: /,
    );
  });

  it.each<[string, (simulation: FleetSimulation) => void, string]>([
    ['an aborted member', (simulation) => simulation.abortMember('prod-eu-1'), 'its rollout was aborted'],
    [
      'a member changed outside the release (an undo)',
      (simulation) => simulation.setTemplateOutside('prod-eu-1', appTemplate('shop/app:1')),
      'its template was changed outside the release',
    ],
  ])('fails the wave for %s', (_case, act, reason) => {
    const simulation = simulate();
    runToWave(simulation, 1);
    act(simulation);
    simulation.step();
    expect(simulation.status.phase).toBe('Halted');
    expect(simulation.status.message).toBe(`halted: wave 2/3 production-eu failed: prod-eu-1: ${reason}`);
  });

  it('waits for a disconnected member until the timeout, waking up then, and fails the wave at the deadline', () => {
    const spec = fleetSpec();
    spec.waves[1] = { ...spec.waves[1], name: 'production-eu', maxParallel: 1, disconnectedTimeoutSeconds: 120 };
    const simulation = simulate({ spec, secondsPerStep: 1 });
    runToWave(simulation, 1);
    const lostAt = simulation.now;
    simulation.disconnectedSince.set('prod-eu-2', lostAt);
    const waiting = simulation.step();
    expect(waiting.wakeAt).toEqual(new Date(lostAt.getTime() + 120_000));
    expect(simulation.status.phase).toBe('Progressing');
    simulation.now = new Date(lostAt.getTime() + 120_000);
    simulation.step();
    expect(simulation.status.message).toBe(
      'halted: wave 2/3 production-eu failed: prod-eu-2: its cluster has been disconnected for more than 120 s',
    );
  });
});

describe('operations', () => {
  it('pause lets changing members finish but changes no one else and passes no wave; resume goes on', () => {
    const simulation = simulate();
    simulation.step();
    expect(simulation.operate({ type: 'pause' })).toMatchObject({ ok: true });
    expect(simulation.status).toMatchObject({ phase: 'Paused', pausedFrom: 'Progressing' });
    simulation.advanceSeconds(600);
    for (let round = 0; round < 5; round += 1) expect(simulation.step().memberChanges).toEqual([]);
    expect(simulation.memberState('staging')).toBe('Released');
    expect(simulation.status.currentWave).toBe(0);
    expect(waveOf(simulation, 'staging')?.gates.every((gate) => gate.state === 'Passed')).toBe(true);
    const resumed = simulation.operate({ type: 'resume' });
    expect(resumed.ok && resumed.decision.memberChanges.map((change) => change.cluster)).toEqual(['prod-eu-1']);
    expect(simulation.status).toMatchObject({ phase: 'Progressing', pausedFrom: null, currentWave: 1 });
  });

  it('retryMember retries an aborted member where it stands and takes the halted release up again', () => {
    const simulation = simulate();
    runToWave(simulation, 1);
    simulation.abortMember('prod-eu-1');
    simulation.step();
    expect(simulation.status.phase).toBe('Halted');
    const result = simulation.operate({ type: 'retryMember', cluster: 'prod-eu-1' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.decision.memberOperations).toEqual([{ cluster: 'prod-eu-1', operation: { type: 'retry' } }]);
    expect(result.decision.events.map((event) => event.type)).toEqual(['MemberRetried', 'ReleaseRetried', 'MemberChanged']);
    expect(simulation.status).toMatchObject({ phase: 'Progressing', currentWave: 1 });
    expect(simulation.memberState('prod-eu-1')).toBe('Changing');
    simulation.run();
    expect(simulation.status.phase).toBe('Succeeded');
  });

  it('retry changes a member that failed on a broken image again; skipMember passes it over and goes on', () => {
    const simulation = simulate();
    simulation.brokenImages.add('shop/app:2');
    simulation.run();
    expect(simulation.status).toMatchObject({ phase: 'Halted', currentWave: 0 });
    const retried = simulation.operate({ type: 'retry' });
    expect(retried.ok && retried.decision.memberChanges).toEqual([]);
    expect(simulation.memberState('staging')).toBe('Changing');
    simulation.brokenImages.clear();
    simulation.setTemplateOutside('staging', appTemplate('shop/app:1'));
    simulation.step();
    expect(simulation.status.phase).toBe('Halted');
    const skipped = simulation.operate({ type: 'skipMember', cluster: 'staging' });
    expect(skipped.ok && skipped.decision.events.map((event) => event.type)).toEqual(['MemberSkipped', 'ReleaseRetried', 'GatePassed']);
    expect(simulation.status).toMatchObject({ phase: 'Progressing', currentWave: 0 });
    simulation.run();
    expect(simulation.status.phase).toBe('Succeeded');
    expect(simulation.memberState('staging')).toBe('Skipped');
  });

  it('promoteWave promotes the changing members of the wave that wait at a pause', () => {
    const simulation = simulate();
    simulation.pausingClusters.add('staging');
    simulation.step();
    simulation.step();
    const promoted = simulation.operate({ type: 'promoteWave' });
    expect(promoted.ok && promoted.decision.memberOperations).toEqual([
      { cluster: 'staging', operation: { type: 'promote', full: false } },
    ]);
    expect(simulation.operate({ type: 'promoteWave' })).toMatchObject({ ok: false, refusal: { code: 'fleet/nothing_to_promote' } });
  });

  it('abort without rollback aborts the changing members of the wave and ends the release', () => {
    const simulation = simulate();
    runToWave(simulation, 1);
    const aborted = simulation.operate({ type: 'abort', rollback: false });
    expect(aborted.ok && aborted.decision.memberOperations).toEqual([{ cluster: 'prod-eu-1', operation: { type: 'abort' } }]);
    expect(simulation.status.phase).toBe('Aborted');
    expect(simulation.operate({ type: 'resume' })).toMatchObject({ ok: false, refusal: { code: 'fleet/release_finished' } });
  });

  it('abort with rollback sets every changed member back, from the wave under way to the first', () => {
    const simulation = simulate();
    runToWave(simulation, 2);
    simulation.step();
    const aborted = simulation.operate({ type: 'abort', rollback: true });
    expect(aborted.ok && aborted.decision.memberChanges.map((change) => [change.cluster, change.purpose])).toEqual([
      ['prod-ap-1', 'rollback'],
      ['prod-us-1', 'rollback'],
    ]);
    simulation.run();
    expect(simulation.status.phase).toBe('RolledBack');
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:1');
  });

  it('abort with rollback also sets back a member the release changed and that was skipped since', () => {
    const simulation = simulate();
    simulation.pausingClusters.add('staging');
    simulation.step();
    simulation.step();
    expect(imageOf(simulation, 'staging')).toBe('shop/app:2');
    expect(simulation.operate({ type: 'skipMember', cluster: 'staging' })).toMatchObject({ ok: true });
    runToWave(simulation, 1);
    const aborted = simulation.operate({ type: 'abort', rollback: true });
    expect(aborted.ok && aborted.decision.memberChanges.map((change) => change.cluster)).toEqual(['prod-eu-1']);
    simulation.run();
    expect(simulation.status.phase).toBe('RolledBack');
    expect(simulation.memberState('staging')).toBe('RolledBack');
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:1');
  });
});

describe('superseding', () => {
  it('starts again at the first wave, moves each member to the newest template in its turn, and rolls back to the template from before the chain', () => {
    const simulation = simulate({ spec: fleetSpec({ failurePolicy: 'rollbackAll' }) });
    runToWave(simulation, 2);
    const old = simulation.supersede({ type: 'image', container: 'app', image: 'shop/app:3' }, clusters);
    expect(old).toMatchObject({ phase: 'Superseded' });
    expect(simulation.status).toMatchObject({ phase: 'Progressing', currentWave: 0 });
    expect(simulation.status.waves[1]?.members[0]).toMatchObject({
      cluster: 'prod-eu-1',
      state: 'Pending',
      previousTemplate: appTemplate('shop/app:1'),
    });
    expect(simulation.status.waves[2]?.members.find((member) => member.cluster === 'prod-us-2')?.previousTemplate).toBeNull();
    runToWave(simulation, 1);
    expect(imageOf(simulation, 'staging')).toBe('shop/app:3');
    expect(imageOf(simulation, 'prod-eu-1')).toBe('shop/app:3');
    expect(imageOf(simulation, 'prod-eu-2')).toBe('shop/app:2');
    simulation.abortMember('prod-eu-1');
    simulation.run();
    expect(simulation.status.phase).toBe('RolledBack');
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:1');
    expect(simulation.status.waves.map((wave) => wave.phase)).toEqual(['RolledBack', 'RolledBack', 'RolledBack']);
  });
});

describe('a fleet release under freeze windows', () => {
  const UNTIL_SECONDS = 600;

  /** Freezes `names` from the simulation's current time for ten minutes. */
  function freeze(simulation: FleetSimulation, names: string[], policy: 'finish' | 'hold'): Date {
    const until = new Date(simulation.now.getTime() + UNTIL_SECONDS * 1000);
    for (const name of names) simulation.freezes.set(name, { window: 'weekend', until, policy });
    return until;
  }

  it('holds the next wave across the window, shows it on the members and the gate, wakes at its end and resumes', () => {
    const simulation = simulate();
    const production = clusters.filter((cluster) => cluster.labels.env === 'prod').map((cluster) => cluster.name);
    const until = freeze(simulation, production, 'finish');
    runToWave(simulation, 1);
    for (let round = 0; round < 10; round += 1) simulation.step();
    const wave = waveOf(simulation, 'production-eu');
    expect(wave?.members.map((member) => [member.state, member.message])).toEqual([
      ['Pending', `held by freeze weekend until ${until.toISOString()}`],
      ['Pending', `held by freeze weekend until ${until.toISOString()}`],
    ]);
    expect(wave?.gates[0]?.message).toMatch(/^held by freeze weekend until /);
    expect(simulation.decisions.at(-1)?.wakeAt).toEqual(until);
    expect(imageOf(simulation, 'prod-eu-1')).toBe('shop/app:1');

    // The clock reaches the window's end (the decision's wake-up): the wave starts, and the release finishes.
    simulation.now = until;
    simulation.run(60);
    expect(simulation.status.phase).toBe('Succeeded');
    for (const cluster of clusters) expect(imageOf(simulation, cluster.name)).toBe('shop/app:2');
  });

  it.each([
    ['finish', 'Released'],
    ['hold', 'Changing'],
  ] as const)('policy %s: a member changed before the window is %s while it lasts', (policy, state) => {
    const simulation = simulate({ stepsToHealthy: 4 });
    simulation.step();
    expect(simulation.memberState('staging')).toBe('Changing');
    const until = freeze(simulation, ['staging'], policy);
    for (let round = 0; round < 8; round += 1) simulation.step();
    expect(simulation.memberState('staging')).toBe(state);
    expect(simulation.now < until).toBe(true);
  });

  it('a frozen member takes no place in maxParallel: the next one in name order is changed', () => {
    const simulation = simulate();
    freeze(simulation, ['prod-eu-1'], 'finish');
    runToWave(simulation, 1);
    expect(simulation.memberState('prod-eu-1')).toBe('Pending');
    expect(simulation.memberState('prod-eu-2')).toBe('Changing');
  });

  it('rollbacks are never held', () => {
    const simulation = simulate({ spec: fleetSpec({ failurePolicy: 'rollbackAll' }) });
    runToWave(simulation, 1);
    simulation.brokenImages.add('shop/app:2');
    for (let round = 0; round < 20 && simulation.status.currentWave === 1; round += 1) simulation.step();
    freeze(
      simulation,
      clusters.map((cluster) => cluster.name),
      'finish',
    );
    simulation.run(60);
    expect(simulation.status.phase).toBe('RolledBack');
    expect(imageOf(simulation, 'staging')).toBe('shop/app:1');
  });
});
