import { describe, expect, it } from 'vitest';
import type { BlueGreenStrategy } from '@flotilla/argo-spec';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';

function deployed(blueGreen: BlueGreenStrategy, replicas = 3): { simulation: RolloutSimulation; blue: string } {
  const simulation = new RolloutSimulation(rolloutSpec({ blueGreen }, { replicas }), START);
  simulation.settle();
  return { simulation, blue: simulation.status?.stableRS as string };
}

const manual: BlueGreenStrategy = { activeService: 'checkout-active', previewService: 'checkout-preview', autoPromotionEnabled: false };

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
    expect(decisions.flatMap((decision) => decision.events)).toContainEqual({ type: 'ServiceSelectorSwitched', service: 'checkout-active', from: blue, to: green });
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 3 });
    const deadline = new Date(START.getTime() + 35_000);
    expect(simulation.lastDecision.requeueAt).toEqual(deadline);
    expect(simulation.lastDecision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === blue)?.annotations['scale-down-deadline']).toBe(deadline.toISOString());

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

  it('previewReplicaCount runs a small preview, then scales it up before the switch', () => {
    const { simulation, blue } = deployed({ ...manual, previewReplicaCount: 1 });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [blue]: 3, [green]: 1 });
    simulation.operate({ type: 'promote', full: false });
    const decisions = simulation.settle();
    const greenSizes = decisions.map((decision) => decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === green)?.replicas);
    expect(greenSizes[0]).toBe(3);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: green });
  });

  it('a failed pre-promotion analysis aborts and the active Service never switches', () => {
    const { simulation, blue } = deployed({ activeService: 'checkout-active', prePromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
    simulation.setImage('shop/checkout:2.0');
    const [first] = simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    const request = simulation.decisions.flatMap((decision) => decision.analysisRunsToStart)[0];
    expect(request).toMatchObject({ kind: 'prePromotion', podTemplateHash: green, stablePodTemplateHash: blue, name: `checkout-${green}-2-pre` });
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
    const { simulation, blue } = deployed({ activeService: 'checkout-active', postPromotionAnalysis: { templates: [{ templateName: 'smoke' }] } });
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
});
