import type { PodTemplateSpec } from '@flotilla/argo-spec';
import {
  decideRelease,
  startRelease,
  type FailurePolicy,
  type FleetChange,
  type FleetCluster,
  type FleetRolloutSpec,
  type MemberObservation,
  type ReleaseInput,
} from '@flotilla/fleet-engine';
import { podTemplateHash } from '@flotilla/rollout-engine';

/**
 * Fleet releases in every state the engine meets, each carried there by the engine itself against obedient
 * members (a changed member runs its steps for a while, then is Healthy and fully promoted), with a failing member,
 * a pause or a manual approval on the way for some.
 */
export type ReleaseScenario = 'progressing' | 'awaiting-approval' | 'halted' | 'rolling-back' | 'paused' | 'finished';

export interface BenchRelease {
  scenario: ReleaseScenario;
  input: ReleaseInput;
}

const FLEET_START = new Date('2026-06-01T08:00:00.000Z');
const SECONDS_PER_STEP = 20;
/** Decisions a changed member takes to be Healthy and fully promoted. */
const STEPS_TO_HEALTHY = 3;

const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'checkout' } },
  spec: {
    containers: [
      { name: 'app', image, ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      { name: 'proxy', image: 'envoyproxy/envoy:v1.31' },
    ],
  },
});

/** Deterministic pseudo-random numbers (mulberry32), so that every run measures the same fleets. */
function randomSequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function fleetSpec(index: number, failurePolicy: FailurePolicy, manualApproval: boolean): FleetRolloutSpec {
  return {
    rollout: { namespace: 'shop', name: `checkout-${index}` },
    clusterSelector: { matchLabels: { tier: 'web' } },
    failurePolicy,
    waves: [
      {
        name: 'staging',
        clusterSelector: { matchLabels: { env: 'staging' } },
        soakSeconds: 60,
        ...(manualApproval ? { approval: 'manual' } : {}),
      },
      { name: 'production-eu', clusterSelector: { matchLabels: { env: 'prod', region: 'eu' } }, maxParallel: 3, soakSeconds: 120 },
      { name: 'production-rest', maxParallel: '20%', disconnectedTimeoutSeconds: 300 },
    ],
  };
}

/** 50 clusters: 5 staging, 15 production in the EU, 30 elsewhere. */
function fleetClusters(size: number): FleetCluster[] {
  return Array.from({ length: size }, (_unused, index) => {
    const env = index < size / 10 ? 'staging' : 'prod';
    const region = index < (size * 4) / 10 ? 'eu' : index % 2 === 0 ? 'us' : 'ap';
    return { name: `cluster-${String(index).padStart(3, '0')}`, labels: { tier: 'web', env, region } };
  });
}

function healthyOn(podTemplate: PodTemplateSpec): MemberObservation & { present: true } {
  return {
    present: true,
    template: podTemplate,
    templateHash: podTemplateHash(podTemplate),
    phase: 'Healthy',
    reconciled: true,
    fullyPromoted: true,
    aborted: false,
    waitsAtPause: false,
    disconnectedSince: null,
    frozen: null,
  };
}

function scenarioOf(input: ReleaseInput): ReleaseScenario {
  const { phase } = input.status;
  if (phase === 'Halted') return 'halted';
  if (phase === 'RollingBack') return 'rolling-back';
  if (phase === 'Paused') return 'paused';
  if (phase !== 'Progressing') return 'finished';
  const wave = input.status.waves[input.status.currentWave];
  return wave?.gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting') ? 'awaiting-approval' : 'progressing';
}

/** Carries one fleet's release through `steps` decisions, members obeying, and returns the input of the next one. */
function carriedRelease(index: number, clusterCount: number, random: () => number): BenchRelease {
  const roll = random();
  const failurePolicy: FailurePolicy = roll < 0.1 ? 'rollbackAll' : roll < 0.15 ? 'rollbackWave' : 'halt';
  const spec = fleetSpec(index, failurePolicy, random() < 0.3);
  const clusters = fleetClusters(clusterCount);
  const change: FleetChange = { type: 'image', container: 'app', image: `shop/checkout:${index % 7}.1` };
  const members: Record<string, MemberObservation> = {};
  for (const cluster of clusters) members[cluster.name] = healthyOn(template(`shop/checkout:${index % 7}.0`));
  let now = FLEET_START;
  let status = startRelease({ spec, clusters, now }).status;
  const changedAt = new Map<string, number>();
  const steps = Math.floor(random() * 40);
  // Failures late in the run, so that some rollbacks are still under way at its end.
  const failAt = random() < 0.2 ? steps - 1 - Math.floor(random() * 6) : -1;
  const pauseAt = random() < 0.08 ? Math.floor(random() * steps) : -1;
  for (let step = 0; step < steps; step += 1) {
    for (const [cluster, at] of changedAt) {
      const member = members[cluster];
      if (!member?.present || step - at < STEPS_TO_HEALTHY) continue;
      members[cluster] = { ...member, phase: 'Healthy', reconciled: true, fullyPromoted: true };
      changedAt.delete(cluster);
    }
    if (step === failAt) {
      const [failing] = changedAt.keys();
      const member = failing === undefined ? undefined : members[failing];
      if (failing !== undefined && member?.present) members[failing] = { ...member, phase: 'Degraded', reconciled: true };
    }
    const decision = decideRelease({ spec, change, status, members, now });
    status = decision.status;
    for (const memberChange of decision.memberChanges) {
      members[memberChange.cluster] = {
        ...healthyOn(memberChange.template),
        phase: 'Progressing',
        reconciled: false,
        fullyPromoted: false,
      };
      changedAt.set(memberChange.cluster, step);
    }
    if (step === pauseAt && status.phase === 'Progressing') status = { ...status, phase: 'Paused', pausedFrom: 'Progressing' };
    if (status.phase === 'Progressing' && random() < 0.05) {
      const wave = status.waves[status.currentWave];
      if (wave?.gates.some((gate) => gate.gate === 'approval' && gate.state === 'Waiting'))
        status = {
          ...status,
          waves: status.waves.with(status.currentWave, { ...wave, approval: { by: 'bench', at: now.toISOString(), reason: null } }),
        };
    }
    now = new Date(now.getTime() + SECONDS_PER_STEP * 1000);
  }
  const input: ReleaseInput = { spec, change, status, members, now };
  return { scenario: scenarioOf(input), input };
}

/** `size` fleets of `clusters` clusters each, with releases spread across waves and member states. */
export function buildReleaseFleets(size: number, clusters: number, progress?: (built: number) => void): BenchRelease[] {
  const random = randomSequence(0x5eed);
  const fleets: BenchRelease[] = [];
  for (let index = 0; index < size; index += 1) {
    fleets.push(carriedRelease(index, clusters, random));
    if (progress && (index + 1) % Math.max(1, Math.floor(size / 4)) === 0) progress(index + 1);
  }
  return fleets;
}
