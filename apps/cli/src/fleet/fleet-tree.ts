import type {
  FleetAnalysisRun,
  FleetChange,
  FleetGate,
  FleetMember,
  FleetRelease,
  FleetTreeData,
  FleetWave,
} from '../api/fleet-queries.js';
import type { Styles } from '../output/terminal.js';
import { age, humanDuration } from '../output/time.js';
import { formatTree, summaryField as field, type TreeNode } from '../output/tree.js';
import { phaseText } from '../rollouts/phase.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `container=image` of each container of a pod template given as JSON; nothing for what is not one. */
function templateImages(template: unknown): string[] {
  const spec = isRecord(template) ? template.spec : undefined;
  const containers = isRecord(spec) && Array.isArray(spec.containers) ? (spec.containers as unknown[]) : [];
  return containers.flatMap((container) =>
    isRecord(container) && typeof container.name === 'string' && typeof container.image === 'string'
      ? [`${container.name}=${container.image}`]
      : [],
  );
}

/**
 * What a release changes, in one line.
 * @example describeChange({ container: 'checkout', image: 'shop/checkout:2', template: null }) === 'image checkout=shop/checkout:2'
 */
export function describeChange(change: FleetChange): string {
  if (change.image !== null) return `image ${change.container ?? '?'}=${change.image}`;
  const images = templateImages(change.template);
  return images.length > 0 ? `template ${images.join(',')}` : 'template';
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function summaryLines(data: FleetTreeData, release: FleetRelease, now: Date, style: Styles): string[] {
  const lines = [field('Name', style.bold(release.fleetRollout))];
  if (data.fleetRollout !== null)
    lines.push(
      field('Rollout', `${data.fleetRollout.rolloutNamespace}/${data.fleetRollout.rolloutName}`),
      field('FailurePolicy', data.fleetRollout.failurePolicy),
    );
  lines.push(
    field('Release', String(release.number)),
    field('Status', phaseText(release.phase, style)),
    field('Message', release.message || '-'),
    field('Change', describeChange(release.change)),
  );
  if (release.reason) lines.push(field('Reason', release.reason));
  lines.push(field('Started', `${age(release.startedAt, now)} ago by ${release.startedBy}`));
  if (release.finishedAt !== null)
    lines.push(
      field(
        'Finished',
        `${age(release.finishedAt, now)} ago, after ${humanDuration(Date.parse(release.finishedAt) - Date.parse(release.startedAt))}`,
      ),
    );
  if (release.supersededBy !== null) lines.push(field('SupersededBy', `release ${release.supersededBy}`));
  const wave = release.waves[release.currentWave];
  lines.push(
    field(
      'Wave',
      wave === undefined
        ? `all ${plural(release.waves.length, 'wave')} passed`
        : `${release.currentWave + 1}/${release.waves.length} ${wave.name}`,
    ),
  );
  if (release.unassigned.length > 0) lines.push(field('Unassigned', release.unassigned.join(', ')));
  return lines;
}

/**
 * A gate's message, with the time left until it may pass on its own (the soak's end) while it waits.
 * @example gateInfo({ gate: 'soak', state: 'Waiting', message: 'soaking', since: null, until: '2026-03-01T12:04:30Z' }, new Date('2026-03-01T12:00:00Z')) === 'soaking (4m30s left)'
 */
export function gateInfo(gate: FleetGate, now: Date): string {
  const left = gate.until === null ? 0 : Date.parse(gate.until) - now.getTime();
  const countdown = left > 0 && (gate.state === 'Waiting' || gate.state === 'Pending') ? `(${humanDuration(left)} left)` : '';
  return [gate.message, countdown].filter(Boolean).join(' ');
}

/**
 * A member's Rollout as `get rollout` summarises it: phase, step, and canary weight (the set weight after the
 * routed one when they differ), then the member's own message.
 * @example
 * memberInfo({ ...member, message: 'waits at a pause', rollout: { ...rollout, phase: 'Paused', progress: { currentStep: { index: 1, count: 6 }, weights: { setWeight: 40, actualWeight: 20 } } } }, plain)
 * // => '॥ Paused, step 1/6, weight 20 (set 40) - waits at a pause'
 */
export function memberInfo(member: FleetMember, style: Styles): string {
  const { rollout } = member;
  const parts: string[] = [];
  if (rollout === null) parts.push('no Rollout');
  else {
    parts.push(phaseText(rollout.phase, style));
    const { currentStep, weights } = rollout.progress;
    if (currentStep !== null) parts.push(`step ${currentStep.index}/${currentStep.count}`);
    if (weights !== null)
      parts.push(
        weights.actualWeight === weights.setWeight
          ? `weight ${weights.actualWeight}`
          : `weight ${weights.actualWeight} (set ${weights.setWeight})`,
      );
  }
  return `${parts.join(', ')}${member.message ? ` - ${member.message}` : ''}`;
}

function waveInfo(wave: FleetWave): string {
  const count = (state: FleetMember['state']) => wave.members.filter((member) => member.state === state).length;
  const parts = [`${count('Released')}/${wave.members.length} released`];
  if (count('Failed') > 0) parts.push(`${count('Failed')} failed`);
  if (count('Skipped') > 0) parts.push(`${count('Skipped')} skipped`);
  if (wave.approvedBy !== null) parts.push(`approved by ${wave.approvedBy}${wave.approvalReason ? ` (${wave.approvalReason})` : ''}`);
  return parts.join(', ');
}

const since = (time: string | null, now: Date): string => (time === null ? '' : age(time, now));

/** The wave and attempt a run of a fleet release's wave is for, from its spec. */
function fleetWaveOf(run: FleetAnalysisRun): { wave: string; attempt: number } | undefined {
  const fleetWave = isRecord(run.spec) ? run.spec.fleetWave : undefined;
  return isRecord(fleetWave) && typeof fleetWave.wave === 'string' && typeof fleetWave.attempt === 'number'
    ? { wave: fleetWave.wave, attempt: fleetWave.attempt }
    : undefined;
}

/**
 * A wave's analysis run in one line: pooled or whose, then each metric's latest verdict (the pooled measurement of a
 * pooled run) with how many clusters answered its latest moment.
 * @example analysisInfo({ cluster: null, clusters: ['eu', 'us'], measurements: [{ metricName: 'error-rate', index: 0, cluster: null, phase: 'Successful', value: '…' }, …] })
 * // => 'pooled over eu, us; error-rate #0 Successful'
 */
export function analysisInfo(run: Pick<FleetAnalysisRun, 'cluster' | 'clusters' | 'measurements' | 'message'>): string {
  const latest = new Map<string, FleetAnalysisRun['measurements'][number]>();
  for (const measurement of run.measurements) {
    if (measurement.cluster !== null) continue;
    const known = latest.get(measurement.metricName);
    if (!known || known.index < measurement.index) latest.set(measurement.metricName, measurement);
  }
  const verdicts = [...latest.values()].map((measurement) => `${measurement.metricName} #${measurement.index} ${measurement.phase}`);
  const answering = run.cluster === null ? answeringNow(run) : [];
  const parts = [run.cluster === null ? `pooled over ${run.clusters.join(', ')}` : `in ${run.cluster}`, ...verdicts, ...answering];
  if (run.message) parts.push(run.message);
  return parts.join('; ');
}

/** For a pooled run's moment still in flight: how many clusters have answered it. */
function answeringNow(run: Pick<FleetAnalysisRun, 'clusters' | 'measurements'>): string[] {
  const inFlight = run.measurements.filter((measurement) => measurement.cluster !== null && measurement.phase === 'Running');
  if (inFlight.length === 0) return [];
  const moments = new Set(inFlight.map((measurement) => `${measurement.metricName} #${measurement.index}`));
  return [...moments].map((moment) => {
    const [metricName, index] = moment.split(' #');
    const parts = run.measurements.filter(
      (measurement) => measurement.cluster !== null && measurement.metricName === metricName && String(measurement.index) === index,
    );
    return `${moment}: ${parts.filter((part) => part.phase !== 'Running').length}/${run.clusters.length} clusters answered`;
  });
}

function analysisNodes(wave: FleetWave, runs: readonly FleetAnalysisRun[], style: Styles): TreeNode[] {
  const ofWave = runs.flatMap((run) => {
    const of = fleetWaveOf(run);
    return of?.wave === wave.name ? [{ run, attempt: of.attempt }] : [];
  });
  const attempt = Math.max(-1, ...ofWave.map((entry) => entry.attempt));
  return ofWave
    .filter((entry) => entry.attempt === attempt)
    .map(({ run }) => ({
      icon: '∿',
      name: run.name,
      kind: 'AnalysisRun',
      status: phaseText(run.phase, style),
      age: '',
      info: analysisInfo(run),
      children: [],
    }));
}

function waveNode(wave: FleetWave, runs: readonly FleetAnalysisRun[], now: Date, style: Styles): TreeNode {
  return {
    icon: '≋',
    name: wave.name,
    kind: 'Wave',
    status: phaseText(wave.phase, style),
    age: since(wave.startedAt, now),
    info: waveInfo(wave),
    children: [
      ...wave.gates.map((gate) => ({
        icon: '◇',
        name: gate.gate,
        kind: 'Gate',
        status: phaseText(gate.state, style),
        age: since(gate.since, now),
        info: gateInfo(gate, now),
        children: gate.gate === 'analysis' ? analysisNodes(wave, runs, style) : [],
      })),
      ...wave.members.map((member) => ({
        icon: '⎈',
        name: member.cluster,
        kind: 'Member',
        status: phaseText(member.state, style),
        age: since(member.changedAt, now),
        info: memberInfo(member, style),
        children: [],
      })),
    ],
  };
}

/**
 * One frame of `flotilla fleet get`: the release's summary, then a tree of its waves, each with its gates (and the
 * time left on a soak) and its members with their Rollouts' phase, step and weight. Times are relative to `now`.
 */
export function renderFleetTree(data: FleetTreeData, release: FleetRelease, now: Date, style: Styles): string {
  const root: TreeNode = {
    icon: '⟳',
    name: `release:${release.number}`,
    kind: 'FleetRelease',
    status: phaseText(release.phase, style),
    age: age(release.startedAt, now),
    info: `${describeChange(release.change)} by ${release.startedBy}`,
    children: release.waves.map((wave) => waveNode(wave, release.analysisRuns ?? [], now, style)),
  };
  return `${summaryLines(data, release, now, style).join('\n')}\n\n${formatTree(root)}`;
}
