import { EPHEMERAL_METADATA_ANNOTATION, type DesiredReplicaSet } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import type { BlueGreenStrategy } from '@flotilla/argo-spec';
import { podTemplateHash } from './pod-template-hash.js';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';
import type { RolloutCondition } from './types.js';

function deployed(blueGreen: BlueGreenStrategy, replicas = 3): { simulation: RolloutSimulation; blue: string } {
  const simulation = new RolloutSimulation(rolloutSpec({ blueGreen }, { replicas }), START);
  simulation.settle();
  return { simulation, blue: simulation.status?.stableRS as string };
}

const manual: BlueGreenStrategy = { activeService: 'checkout-active', previewService: 'checkout-preview', autoPromotionEnabled: false };

function desiredReplicaSet(simulation: RolloutSimulation, hash: string): DesiredReplicaSet | undefined {
  return simulation.lastDecision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === hash);
}

/** The role label and ephemeral-metadata annotation a ReplicaSet's pods are given. */
function injected(simulation: RolloutSimulation, hash: string): { role: string | undefined; annotation: string | undefined } {
  const replicaSet = desiredReplicaSet(simulation, hash);
  return { role: replicaSet?.template.metadata?.labels?.['role'], annotation: replicaSet?.annotations[EPHEMERAL_METADATA_ANNOTATION] };
}

function availableCondition(conditions: readonly RolloutCondition[] | undefined): string | undefined {
  return conditions?.find((condition) => condition.type === 'Available')?.status;
}

/** A paused blue-green update: the new ReplicaSet previewed next to the old one, nothing switched yet. */
function previewing(blueGreen: BlueGreenStrategy): { simulation: RolloutSimulation; blue: string; green: string } {
  const { simulation, blue } = deployed(blueGreen);
  simulation.setImage('shop/checkout:2.0');
  simulation.settle();
  return { simulation, blue, green: simulation.status?.currentPodHash as string };
}

describe('blue-green', () => {
  it('first deployment points both Services at the only ReplicaSet', () => {
    const { simulation, blue } = deployed(manual);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', blueGreen: { activeSelector: blue, previewSelector: blue } });
    expect(simulation.lastDecision.desired.services).toEqual({
      active: { service: 'checkout-active', podTemplateHash: blue },
      preview: { service: 'checkout-preview', podTemplateHash: blue },
    });
  });

  it('previews the new ReplicaSet, pauses, promotes, then scales the old one down at its deadline', () => {
    const { simulation, blue } = deployed(manual);
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });
    expect(simulation.observed.serviceSelectors).toEqual({ 'checkout-active': blue, 'checkout-preview': green });
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'BlueGreenPause' });

    simulation.advanceSeconds(5);
    expect(simulation.operate({ type: 'promote', full: false }).ok).toBe(true);
    const decisions = simulation.settle();
    expect(simulation.observed.serviceSelectors['checkout-active']).toBe(green);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: green });
    expect(decisions.flatMap((decision) => decision.events)).toContainEqual({
      type: 'ServiceSelectorSwitched',
      service: 'checkout-active',
      from: blue,
      to: green,
    });
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });
    const deadline = new Date(START.getTime() + 35_000);
    expect(simulation.lastDecision.requeueAt).toEqual(deadline);
    expect(
      simulation.lastDecision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === blue)?.annotations[
        'scale-down-deadline'
      ],
    ).toBe(deadline.toISOString());

    simulation.wakeUp();
    expect(simulation.replicasByHash()).toEqual({ [green]: 3 });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
  });

  it('auto-promotes after autoPromotionSeconds', () => {
    const { simulation } = deployed({ activeService: 'checkout-active', autoPromotionSeconds: 20 });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.status?.phase).toBe('Paused');
    expect(simulation.lastDecision.requeueAt).toEqual(new Date(START.getTime() + 20_000));
    simulation.wakeUp();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: simulation.status?.currentPodHash });
  });

  it.each([
    ['no autoPromotionSeconds', {}],
    ['autoPromotionSeconds: 0', { autoPromotionSeconds: 0 }],
  ])('with %s, switches without pausing', (_, autoPromotion: Partial<BlueGreenStrategy>) => {
    const { simulation } = deployed({ activeService: 'checkout-active', ...autoPromotion });
    simulation.setImage('shop/checkout:2.0');
    const decisions = simulation.settle();
    expect(decisions.some((decision) => decision.status.phase === 'Paused')).toBe(false);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: simulation.status?.currentPodHash, pauseConditions: [] });
  });

  it('previewReplicaCount runs a small preview, then scales it up before the switch', () => {
    const { simulation, blue } = deployed({ ...manual, previewReplicaCount: 1 });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 1 });
    simulation.operate({ type: 'promote', full: false });
    const decisions = simulation.settle();
    const greenSizes = decisions.map(
      (decision) => decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === green)?.replicas,
    );
    expect(greenSizes[0]).toBe(3);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: green });
  });

  it('a failed pre-promotion analysis aborts and the active Service never switches', () => {
    const { simulation, blue } = deployed({
      activeService: 'checkout-active',
      prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
    });
    simulation.setImage('shop/checkout:2.0');
    const [first] = simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    const request = simulation.decisions.flatMap((decision) => decision.analysisRunsToStart)[0];
    expect(request).toMatchObject({
      kind: 'prePromotion',
      podTemplateHash: green,
      stablePodTemplateHash: blue,
      name: `checkout-${green}-2-pre`,
    });
    expect(first?.desired.services.active?.podTemplateHash).toBe(blue);
    simulation.finishRun(`checkout-${green}-2-pre`, 'Failed', 'Metric "errors" assessed Failed');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true, stableRS: blue });
    expect(simulation.status?.message).toBe('RolloutAborted: Rollout aborted update to revision 2: Metric "errors" assessed Failed');
    expect(simulation.decisions.every((decision) => decision.desired.services.active?.podTemplateHash === blue)).toBe(true);
    const abortDeadline = new Date(START.getTime() + 30_000);
    expect(simulation.lastDecision.requeueAt).toEqual(abortDeadline);
    simulation.wakeUp();
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3 });
  });

  it('a failed post-promotion analysis reverts the active Service to the old hash', () => {
    const { simulation, blue } = deployed({
      activeService: 'checkout-active',
      postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
    });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    expect(simulation.observed.serviceSelectors['checkout-active']).toBe(green);
    expect(simulation.status).toMatchObject({ phase: 'Progressing', message: 'waiting for analysis to complete', stableRS: blue });
    simulation.finishRun(`checkout-${green}-2-post`, 'Failed', 'error rate too high');
    simulation.settle();
    expect(simulation.observed.serviceSelectors['checkout-active']).toBe(blue);
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true, stableRS: blue });
  });

  it('scaleDownDelayRevisionLimit keeps only the newest old ReplicaSets waiting', () => {
    const { simulation } = deployed({ activeService: 'checkout-active', scaleDownDelaySeconds: 300, scaleDownDelayRevisionLimit: 1 });
    const first = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const second = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:3.0');
    simulation.settle();
    const third = simulation.status?.stableRS as string;
    expect(new Set([first, second, third]).size).toBe(3);
    expect(simulation.replicasByHash()).toEqual({ [second]: 3, [third]: 3 });
  });

  it('after an abort keeps the preview ReplicaSet for abortScaleDownDelaySeconds, counted from the abort, then scales it to zero', () => {
    const { simulation, blue, green } = previewing({ ...manual, abortScaleDownDelaySeconds: 60 });
    simulation.advanceSeconds(10);
    expect(simulation.operate({ type: 'abort' }).ok).toBe(true);
    simulation.settle();
    const deadline = new Date(START.getTime() + 70_000);
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true, stableRS: blue });
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });
    expect(simulation.lastDecision.requeueAt).toEqual(deadline);

    simulation.advanceSeconds(59);
    simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });

    simulation.wakeUp();
    expect(simulation.now).toEqual(deadline);
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3 });
    expect(desiredReplicaSet(simulation, green)?.replicas).toBe(0);
    expect(simulation.observed.serviceSelectors).toEqual({ 'checkout-active': blue, 'checkout-preview': blue });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
  });

  it('after an abort with abortScaleDownDelaySeconds 0 leaves the preview ReplicaSet running', () => {
    const { simulation, blue, green } = previewing({ ...manual, abortScaleDownDelaySeconds: 0 });
    simulation.operate({ type: 'abort' });
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
    simulation.advanceSeconds(3600);
    simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });
    expect(simulation.observed.serviceSelectors['checkout-active']).toBe(blue);
  });

  it('gives previewMetadata to the new ReplicaSet until it is stable, activeMetadata to the stable one, none to the old', () => {
    const previewMetadata = { labels: { role: 'preview' } };
    const activeMetadata = { labels: { role: 'active' }, annotations: { 'shop.io/serving': 'production' } };
    const { simulation, blue } = deployed({
      ...manual,
      previewMetadata,
      activeMetadata,
      postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] },
    });
    expect(injected(simulation, blue)).toEqual({ role: 'active', annotation: JSON.stringify(activeMetadata) });
    expect(desiredReplicaSet(simulation, blue)?.template.metadata?.annotations).toEqual({ 'shop.io/serving': 'production' });

    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    expect(simulation.status?.phase).toBe('Paused');
    expect(injected(simulation, green)).toEqual({ role: 'preview', annotation: JSON.stringify(previewMetadata) });
    expect(desiredReplicaSet(simulation, green)?.template.metadata?.labels).toMatchObject({
      app: 'checkout',
      'rollouts-pod-template-hash': green,
    });
    expect(injected(simulation, blue)).toEqual({ role: 'active', annotation: JSON.stringify(activeMetadata) });

    // Switched, but post-promotion analysis still runs: the stable has not moved, and neither has the metadata.
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.observed.serviceSelectors['checkout-active']).toBe(green);
    expect(simulation.status).toMatchObject({ stableRS: blue, message: 'waiting for analysis to complete' });
    expect(injected(simulation, green)).toEqual({ role: 'preview', annotation: JSON.stringify(previewMetadata) });
    expect(injected(simulation, blue)).toEqual({ role: 'active', annotation: JSON.stringify(activeMetadata) });

    simulation.finishRun(`checkout-${green}-2-post`, 'Successful');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: green });
    expect(injected(simulation, green)).toEqual({ role: 'active', annotation: JSON.stringify(activeMetadata) });
    expect(desiredReplicaSet(simulation, green)?.template.metadata?.annotations).toEqual({ 'shop.io/serving': 'production' });
    // The old ReplicaSet waits out its scale-down delay with its injected metadata taken off.
    expect(desiredReplicaSet(simulation, blue)?.replicas).toBe(3);
    expect(injected(simulation, blue)).toEqual({ role: undefined, annotation: undefined });
    expect(desiredReplicaSet(simulation, blue)?.template.metadata?.annotations).toEqual({});
  });

  it('restarts pods at most maxUnavailable at a time, rounded down from a percentage', () => {
    const restartBatch = (blueGreen: BlueGreenStrategy, replicas: number): unknown => {
      const simulation = new RolloutSimulation(rolloutSpec({ blueGreen }, { replicas }), START);
      simulation.settle();
      simulation.advanceSeconds(60);
      simulation.operate({ type: 'restart' });
      const [first] = simulation.settle();
      expect(simulation.status).toMatchObject({ phase: 'Healthy', restartedAt: simulation.spec.restartAt });
      return first?.desired.replicaSets[0]?.restart?.maxUnavailable;
    };
    const activeService = 'checkout-active';
    expect(restartBatch({ activeService }, 8)).toBe(2);
    expect(restartBatch({ activeService }, 3)).toBe(1);
    expect(restartBatch({ activeService, maxUnavailable: '50%' }, 5)).toBe(2);
    expect(restartBatch({ activeService, maxUnavailable: 3 }, 8)).toBe(3);
    expect(restartBatch({ activeService, maxUnavailable: 12 }, 8)).toBe(8);
    expect(restartBatch({ activeService, maxUnavailable: 0 }, 8)).toBe(1);
  });

  it('is Available only while every active pod is, whatever maxUnavailable says, and the preview does not count', () => {
    const { simulation, blue } = deployed({ activeService: 'checkout-active', maxUnavailable: 2 });
    expect(availableCondition(simulation.status?.conditions)).toBe('True');

    const lostOnePod = {
      ...simulation.observed,
      replicaSets: simulation.observed.replicaSets.map((replicaSet) =>
        replicaSet.podTemplateHash === blue ? { ...replicaSet, availableReplicas: 2 } : replicaSet,
      ),
    };
    simulation.observed = lostOnePod;
    expect(availableCondition(simulation.step().status.conditions)).toBe('False');
    simulation.settle();
    expect(availableCondition(simulation.status?.conditions)).toBe('True');

    simulation.setImage('shop/checkout:2.0');
    const green = podTemplateHash(simulation.spec.template, undefined);
    simulation.stuck.add(green);
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Progressing', currentPodHash: green, blueGreen: { activeSelector: blue } });
    expect(simulation.observed.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === green)?.availableReplicas).toBe(0);
    expect(availableCondition(simulation.status?.conditions)).toBe('True');
  });
});
