import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAnalysisSpec } from '@flotilla/analysis';
import { parseManifests } from '@flotilla/argo-spec';
import { FLEET_API_VERSION, FLEET_ROLLOUT_KIND, planWaves, type FleetRolloutManifest } from '@flotilla/fleet-engine';
import { DEMO_CLUSTERS, DEMO_DIRECTORY, DEMO_FLEET_FILES } from './demo-layout.js';

const readDemoFile = (path: string): string => readFileSync(join(DEMO_DIRECTORY, path), 'utf8');
const applications = DEMO_CLUSTERS.flatMap((cluster) =>
  cluster.applications.map((application) => ({ cluster: cluster.name, ...application })),
);
const podinfoFleet = parse(readDemoFile('podinfo/fleet-rollout.yaml')) as FleetRolloutManifest;

describe('the demo of npm start', () => {
  it('starts the clusters the demo bootstrap prepares, in its order', () => {
    const startScript = readFileSync(join(DEMO_DIRECTORY, '../../scripts/demo.sh'), 'utf8');
    const started = /^CLUSTERS=\(([^)]*)\)$/m.exec(startScript)?.[1]?.split(/\s+/);
    expect(started).toEqual(DEMO_CLUSTERS.map((cluster) => cluster.name));
  });

  it.each(applications)(
    "applies $folder's Rollouts, with its AnalysisTemplates and Experiments, to $cluster as Flotilla accepts them",
    ({ namespace, folder }) => {
      const files = ['analysis.yaml', 'rollouts.yaml', 'experiments.yaml']
        .map((file) => join(DEMO_DIRECTORY, folder, file))
        .filter(existsSync);
      const result = parseManifests(files.map((file) => readFileSync(file, 'utf8')).join('\n---\n'), {
        namespace,
        knownAnalysisTemplates: new Map(),
        knownClusterAnalysisTemplates: new Map(),
      });
      expect(result.ok ? result.documents.map((document) => document.kind) : result.errors).toContain('Rollout');
    },
  );

  it("judges guestbook's canary in staging by an analysis measured by its agent and one measured centrally, and runs an Experiment beside it", () => {
    const result = parseManifests(
      ['analysis.yaml', 'rollouts.yaml', 'experiments.yaml'].map((file) => readDemoFile(join('guestbook/staging', file))).join('\n---\n'),
      {
        namespace: 'guestbook',
        knownAnalysisTemplates: new Map(),
        knownClusterAnalysisTemplates: new Map(),
      },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const kinds = result.documents.map((document) => `${document.kind} ${document.metadata.name}`);
    expect(kinds).toEqual([
      'AnalysisTemplate success-rate',
      'AnalysisTemplate request-latency',
      'Rollout guestbook',
      'Experiment guestbook-purple',
    ]);
    const templates = result.documents.filter((document) => document.kind === 'AnalysisTemplate');
    expect(templates.map((template) => template.metadata.annotations?.['flotilla.io/measure-from'] ?? 'agent')).toEqual([
      'agent',
      'control-plane',
    ]);
    // Within the API's default MIN_METRIC_INTERVAL_SECONDS.
    for (const template of templates) expect(validateAnalysisSpec(template.spec, { minimumIntervalSeconds: 5 }).errors).toEqual([]);
    const rollout = result.documents.find((document) => document.kind === 'Rollout');
    expect(rollout?.kind === 'Rollout' && rollout.spec.strategy.canary?.steps?.[1]).toMatchObject({
      analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'request-latency' }] },
    });
  });

  it.each(applications)("seeds $folder's namespace $namespace in $cluster", ({ namespace, folder }) => {
    const documents = readDemoFile(join(folder, 'cluster.yaml'))
      .split(/^---$/m)
      .map((text) => parse(text) as { kind: string; metadata: { name: string; namespace?: string } });
    expect(documents).toContainEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (const document of documents.filter((candidate) => candidate.kind !== 'Namespace'))
      expect(document.metadata.namespace).toBe(namespace);
  });

  it('runs podinfo in every cluster as a canary with timed pauses only', () => {
    expect(DEMO_CLUSTERS.filter((cluster) => cluster.applications.some((application) => application.folder === 'podinfo'))).toHaveLength(
      DEMO_CLUSTERS.length,
    );
    const result = parseManifests(readDemoFile('podinfo/rollouts.yaml'), {
      namespace: 'podinfo',
      knownAnalysisTemplates: new Map(),
      knownClusterAnalysisTemplates: new Map(),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [rollout] = result.documents;
    expect(rollout?.kind === 'Rollout' && rollout.spec.strategy.canary?.steps).toEqual([
      { setWeight: 50 },
      { pause: { duration: '10s' } },
      { setWeight: 100 },
    ]);
  });

  it("releases podinfo in three waves over the demo's clusters: staging, production in eu-west-1, then the rest", () => {
    expect(DEMO_FLEET_FILES).toContain('podinfo/fleet-rollout.yaml');
    expect(podinfoFleet).toMatchObject({ apiVersion: FLEET_API_VERSION, kind: FLEET_ROLLOUT_KIND, metadata: { name: 'podinfo' } });
    expect(podinfoFleet.spec.rollout).toEqual({ namespace: 'podinfo', name: 'podinfo' });
    expect(planWaves(podinfoFleet.spec, DEMO_CLUSTERS)).toEqual({
      waves: [
        { wave: 'staging', clusters: ['staging'] },
        { wave: 'production-eu', clusters: ['production'] },
        { wave: 'production-rest', clusters: ['production-ap', 'production-us'] },
      ],
      unassigned: [],
    });
  });

  it('waits for an approval before the last wave only', () => {
    // A wave's manual approval gates the wave after it.
    expect(podinfoFleet.spec.waves.map((wave) => wave.approval ?? 'automatic')).toEqual(['automatic', 'manual', 'automatic']);
  });
});
