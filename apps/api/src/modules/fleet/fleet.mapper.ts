import {
  DEFAULT_DISCONNECTED_TIMEOUT_SECONDS,
  type FleetChange,
  type FleetPlan,
  type FleetRolloutSpec,
  type FleetWaveSpec,
  type WaveStatus,
} from '@flotilla/fleet-engine';
import type { FleetReleaseRecord, FleetRolloutRecord } from '@flotilla/stores';
import {
  FleetFailurePolicy,
  type FleetChangeModel,
  FleetGateState,
  FleetMemberState,
  type FleetPlanModel,
  type FleetReleaseModel,
  FleetReleasePhase,
  type FleetRolloutModel,
  type FleetWaveModel,
  FleetWavePhase,
  type FleetWaveSpecModel,
} from './fleet.models.js';

const dateOf = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

/** A wave as the FleetRollout states it, with every default the engine applies filled in. */
export function toWaveSpecModel(wave: FleetWaveSpec, spec: FleetRolloutSpec): FleetWaveSpecModel {
  return {
    name: wave.name,
    clusterSelector: wave.clusterSelector ?? null,
    maxParallel: wave.maxParallel === undefined ? null : String(wave.maxParallel),
    soakSeconds: wave.soakSeconds ?? 0,
    approval: wave.approval ?? 'automatic',
    allowMissing: wave.allowMissing ?? false,
    disconnectedTimeoutSeconds: wave.disconnectedTimeoutSeconds ?? spec.disconnectedTimeoutSeconds ?? DEFAULT_DISCONNECTED_TIMEOUT_SECONDS,
  };
}

export function toFleetRolloutModel(record: FleetRolloutRecord): FleetRolloutModel {
  const { spec } = record;
  return {
    id: record.id,
    name: record.name,
    labels: record.labels,
    annotations: record.annotations,
    spec,
    rolloutNamespace: spec.rollout.namespace,
    rolloutName: spec.rollout.name,
    failurePolicy: FleetFailurePolicy[spec.failurePolicy ?? 'halt'],
    waves: spec.waves.map((wave) => toWaveSpecModel(wave, spec)),
    generation: record.generation,
    appliedBy: record.appliedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function toFleetPlanModel(fleetRollout: string, plan: FleetPlan): FleetPlanModel {
  return { fleetRollout, waves: plan.waves.map(({ wave, clusters }) => ({ wave, clusters })), unassigned: plan.unassigned };
}

function toChangeModel(change: FleetChange): FleetChangeModel {
  switch (change.type) {
    case 'image':
      return { container: change.container, image: change.image, template: null };
    case 'template':
      return { container: null, image: null, template: change.template };
  }
}

function toWaveModel(wave: WaveStatus, rollout: FleetRolloutSpec['rollout']): FleetWaveModel {
  return {
    name: wave.name,
    phase: FleetWavePhase[wave.phase],
    startedAt: dateOf(wave.startedAt),
    finishedAt: dateOf(wave.finishedAt),
    healthySince: dateOf(wave.healthySince),
    approvedBy: wave.approval?.by ?? null,
    approvedAt: dateOf(wave.approval?.at ?? null),
    approvalReason: wave.approval?.reason ?? null,
    gates: wave.gates.map((gate) => ({
      gate: gate.gate,
      state: FleetGateState[gate.state],
      message: gate.message,
      since: dateOf(gate.since),
      until: dateOf(gate.until),
    })),
    members: wave.members.map((member) => ({
      cluster: member.cluster,
      state: FleetMemberState[member.state],
      message: member.message,
      changedAt: dateOf(member.changedAt),
      rolloutNamespace: rollout.namespace,
      rolloutName: rollout.name,
    })),
  };
}

export function toFleetReleaseModel(record: FleetReleaseRecord): FleetReleaseModel {
  const { status } = record;
  return {
    id: record.id,
    fleetRollout: record.fleetRolloutName,
    number: record.number,
    phase: FleetReleasePhase[record.phase],
    message: status.message,
    change: toChangeModel(record.change),
    reason: record.reason,
    startedBy: record.startedBy,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    currentWave: status.currentWave,
    waves: status.waves.map((wave) => toWaveModel(wave, record.spec.rollout)),
    unassigned: status.unassigned,
    supersededBy: record.supersededByNumber,
  };
}

/** A release record as another process published it: its dates crossed as JSON text. */
export function revivedFleetReleaseRecord(published: FleetReleaseRecord): FleetReleaseRecord {
  const optionalDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
  return {
    ...published,
    startedAt: new Date(published.startedAt),
    finishedAt: optionalDate(published.finishedAt),
    nextReconcileAt: optionalDate(published.nextReconcileAt),
  };
}
