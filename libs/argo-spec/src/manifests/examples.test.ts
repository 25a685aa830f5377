import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../json-equal.js';
import { parseManifests, type ValidationContext } from './parse-manifests.js';
import { readYamlDocuments } from './yaml-documents.js';

const examplesDirectory = new URL('../../examples/', import.meta.url);
const exampleFiles = readdirSync(examplesDirectory)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const readExample = (file: string): string => readFileSync(new URL(file, examplesDirectory), 'utf8');

const emptyContext: ValidationContext = {
  namespace: 'default',
  knownAnalysisTemplates: new Map(),
  knownClusterAnalysisTemplates: new Map(),
};

/** The templates the examples reference, as if they were already stored. */
const storedTemplatesContext: ValidationContext = {
  ...emptyContext,
  knownAnalysisTemplates: new Map([
    ['success-rate', []],
    ['smoke-tests', []],
    ['http-benchmark', []],
  ]),
  knownClusterAnalysisTemplates: new Map([['success-rate', []]]),
};

describe('the examples from the Argo Rollouts documentation', () => {
  it('are all present', () => {
    expect(exampleFiles).toEqual([
      'background-analysis-rollout.yaml',
      'blue-green-rollout.yaml',
      'canary-rollout.yaml',
      'experiment.yaml',
      'http-benchmark-analysis-template.yaml',
      'istio-canary-rollout.yaml',
      'nginx-canary-rollout.yaml',
      'smoke-tests-analysis-template.yaml',
      'success-rate-analysis-template.yaml',
      'success-rate-cluster-analysis-template.yaml',
    ]);
  });

  it.each(exampleFiles)('%s validates cleanly on its own, its templates being stored', (file) => {
    const result = parseManifests(readExample(file), storedTemplatesContext);
    expect(result).toMatchObject({ ok: true });
  });

  it('validate cleanly applied together, each template found among the others', () => {
    const allExamples = exampleFiles.map(readExample).join('\n---\n');
    const result = parseManifests(allExamples, emptyContext);
    expect(result.ok ? result.documents.map((document) => `${document.kind}/${document.metadata.name}`) : result.errors).toEqual([
      'Rollout/guestbook',
      'Rollout/guestbook-bluegreen',
      'Rollout/rollouts-demo',
      'Experiment/example-experiment',
      'AnalysisTemplate/http-benchmark',
      'Rollout/rollouts-demo-istio',
      'Rollout/rollouts-demo-nginx',
      'AnalysisTemplate/smoke-tests',
      'AnalysisTemplate/success-rate',
      'ClusterAnalysisTemplate/success-rate',
    ]);
  });

  it.each(exampleFiles)('%s comes back exactly as written, with no defaults filled in', (file) => {
    const text = readExample(file);
    const result = parseManifests(text, storedTemplatesContext);
    const [written] = readYamlDocuments(text);
    expect(written?.readable).toBe(true);
    expect(result.ok && jsonEqual(result.documents[0], written?.readable === true ? written.value : undefined)).toBe(true);
  });

  it('keep the getting-started canary steps as the documentation gives them', () => {
    const result = parseManifests(readExample('canary-rollout.yaml'), emptyContext);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [rollout] = result.documents;
    expect(rollout?.kind).toBe('Rollout');
    expect(rollout?.kind === 'Rollout' && rollout.spec.strategy.canary?.steps).toEqual([
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 40 },
      { pause: { duration: 10 } },
      { setWeight: 60 },
      { pause: { duration: 10 } },
      { setWeight: 80 },
      { pause: { duration: 10 } },
    ]);
  });
});
