import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { analysisTemplate, canaryRollout, context, type Document, edit, experiment } from './documents.fixtures.js';
import { parseManifests } from './parse-manifests.js';

const HUGE = 'a'.repeat(200_000);
const manyEntries = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`key-${index}`, 'x']));
const stepExperiment = (templates: Document[]): Document => ({ experiment: { templates } });

function problemsOfText(text: string): string[] {
  const result = parseManifests(text, context);
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

/** Every problem of one edited document, as `path: message`. */
const problemsOf = (document: Document): string[] => problemsOfText(stringify(document));

describe('parseManifests refuses what could not reach a cluster, naming the field', () => {
  it.each<[string, () => Document, string, string]>([
    // Images, by the distribution/reference grammar.
    [
      'an empty image',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].image', '']]),
      'spec.template.spec.containers[0].image',
      'must not be empty',
    ],
    [
      'a blank image',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].image', ' ']]),
      'spec.template.spec.containers[0].image',
      'is not an image reference',
    ],
    [
      'a shell command as image',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].image', 'a b\nc;rm -rf /']]),
      'spec.template.spec.containers[0].image',
      'is not an image reference',
    ],
    [
      'a 200,000-character image',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].image', HUGE]]),
      'spec.template.spec.containers[0].image',
      'characters',
    ],
    [
      'an init container image',
      () => edit(canaryRollout(), [['spec.template.spec.initContainers', [{ name: 'init', image: 'registry.example/Upper:1' }]]]),
      'spec.template.spec.initContainers[0].image',
      'lowercase',
    ],
    [
      'ephemeral containers in a template',
      () => edit(canaryRollout(), [['spec.template.spec.ephemeralContainers', [{ name: 'debug', image: 'busybox' }]]]),
      'spec.template.spec.ephemeralContainers',
      'ephemeral',
    ],
    [
      'an experiment template image',
      () => edit(experiment(), [['spec.templates[1].template.spec.containers[0].image', 'x@md5:abc']]),
      'spec.templates[1].template.spec.containers[0].image',
      'is not an image reference',
    ],
    [
      'a container name that is no DNS label',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].name', 'Main_App']]),
      'spec.template.spec.containers[0].name',
      'lowercase',
    ],
    // Names, namespaces, label keys and values.
    ['a 254-character name', () => edit(analysisTemplate(), [['metadata.name', 'a'.repeat(254)]]), 'metadata.name', 'at most 253'],
    ['a namespace that is no DNS label', () => edit(canaryRollout(), [['metadata.namespace', 'a.b']]), 'metadata.namespace', 'lowercase'],
    [
      'a label value of 64 characters',
      () => edit(canaryRollout(), [['metadata.labels', { team: 'a'.repeat(64) }]]),
      'metadata.labels[team]',
      'at most 63',
    ],
    [
      'a label value with a space',
      () => edit(canaryRollout(), [['spec.template.metadata.labels.tier', 'front end']]),
      'spec.template.metadata.labels[tier]',
      'letters, digits',
    ],
    [
      'a label key with two slashes',
      () => edit(canaryRollout(), [['metadata.labels', { 'a/b/c': 'x' }]]),
      'metadata.labels[a/b/c]',
      'at most one "/"',
    ],
    [
      'a label key of 64 characters',
      () => edit(canaryRollout(), [['metadata.annotations', { ['k'.repeat(64)]: 'x' }]]),
      `metadata.annotations[${'k'.repeat(64)}]`,
      'at most 63',
    ],
    [
      'a selector value that is no label value',
      () => edit(canaryRollout(), [['spec.selector.matchExpressions', [{ key: 'app', operator: 'In', values: ['-x'] }]]]),
      'spec.selector.matchExpressions[0].values[0]',
      'starting and ending',
    ],
    // Names Flotilla puts into labels and Service names.
    [
      'a Rollout name too long for the flotilla.io/rollout label',
      () => edit(canaryRollout(), [['metadata.name', 'a'.repeat(64)]]),
      'metadata.name',
      'flotilla.io/rollout',
    ],
    [
      'an Experiment name too long for the flotilla.io/experiment label',
      () => edit(experiment(), [['metadata.name', 'e'.repeat(64)]]),
      'metadata.name',
      'flotilla.io/experiment',
    ],
    [
      'an experiment template named with capitals',
      () => edit(experiment(), [['spec.templates[0].name', 'Baseline']]),
      'spec.templates[0].name',
      'lowercase',
    ],
    [
      'an experiment template whose Service name would pass 63',
      () =>
        edit(experiment(), [
          ['spec.templates[0].service', {}],
          ['spec.templates[0].name', 'b'.repeat(60)],
        ]),
      'spec.templates[0].name',
      'Service name of 68',
    ],
    [
      'a Rollout name too long for its step experiment',
      () =>
        edit(canaryRollout(), [
          ['metadata.name', 'c'.repeat(40)],
          ['spec.strategy.canary.steps[1]', stepExperiment([{ name: 'x', specRef: 'canary' }])],
        ]),
      'metadata.name',
      'runs an experiment',
    ],
    // Counts and sizes.
    ['65 labels', () => edit(canaryRollout(), [['metadata.labels', manyEntries(65)]]), 'metadata.labels', 'at most 64 entries'],
    [
      '65 annotations',
      () => edit(canaryRollout(), [['spec.template.metadata.annotations', manyEntries(65)]]),
      'spec.template.metadata.annotations',
      'at most 64 entries',
    ],
    [
      'annotations over 256 KiB',
      () => edit(canaryRollout(), [['metadata.annotations', { big: 'x'.repeat(300_000) }]]),
      'metadata.annotations',
      'at most 262144 bytes',
    ],
    // Durations and numbers.
    [
      'a pause of 99999999999h',
      () => edit(canaryRollout(), [['spec.strategy.canary.steps[1].pause.duration', '99999999999h']]),
      'spec.strategy.canary.steps[1].pause.duration',
      'at most 2147483647 seconds',
    ],
    [
      'a pause of 2^31 seconds',
      () => edit(canaryRollout(), [['spec.strategy.canary.steps[1].pause.duration', 2 ** 31]]),
      'spec.strategy.canary.steps[1].pause.duration',
      'between',
    ],
    [
      'a progressDeadlineSeconds of 1e300',
      () => edit(canaryRollout(), [['spec.progressDeadlineSeconds', 1e300]]),
      'spec.progressDeadlineSeconds',
      'at most 2147483647',
    ],
    [
      "a metric interval past Go's longest duration",
      () => edit(analysisTemplate(), [['spec.metrics[0].interval', '3000000h']]),
      'spec.metrics[0].interval',
      'longest duration',
    ],
    [
      "an experiment duration past Go's longest duration",
      () => edit(experiment(), [['spec.duration', '99999999999h']]),
      'spec.duration',
      'longest duration',
    ],
    ['a metric count of 1e300', () => edit(analysisTemplate(), [['spec.metrics[0].count', 1e300]]), 'spec.metrics[0].count', 'between'],
    [
      'a metric count of 30 digits',
      () => edit(analysisTemplate(), [['spec.metrics[0].count', '9'.repeat(30)]]),
      'spec.metrics[0].count',
      'at most 2147483647',
    ],
    ['replicas of 2^31', () => edit(canaryRollout(), [['spec.replicas', 2 ** 31]]), 'spec.replicas', 'at most 2147483647'],
    // Text no store keeps, and nesting no check should walk.
    [
      'NUL in a string',
      () => edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.query', 'up\u0000']]),
      'spec.metrics[0].provider.prometheus.query',
      'NUL',
    ],
    [
      'a lone surrogate in a key',
      () => edit(canaryRollout(), [['spec.template.spec.containers[0].env', [{ name: 'X', value: 'ok', ['\uD800']: 1 }]]]),
      'spec.template.spec.containers[0].env[0]["\\ud800"]',
      'lone UTF-16 surrogate',
    ],
  ])('%s', (_title, document, path, reasonWord) => {
    expect(problemsOf(document())).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${reasonWord.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      ),
    );
  });

  it('refuses block nesting deeper than 64 levels at the depth it stops', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 80; level += 1) deep = { nested: deep };
    const text = stringify(edit(canaryRollout(), [['spec.template.spec.containers[0].extra', deep]]));
    expect(problemsOfText(text)).toEqual([
      expect.stringMatching(/^spec\.template\.spec\.containers\[0\]\.extra(\.nested)+: nests deeper than 64 levels/),
    ]);
  });

  it.each([1000, 100_000])('refuses brackets nested %i deep before reading them', (depth) => {
    const deep = `${'{"nested":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
    const text = JSON.stringify(edit(canaryRollout(), [['spec.template.spec.containers[0].extra', 'DEEP']])).replace('"DEEP"', deep);
    expect(problemsOfText(text)).toEqual([': invalid YAML at line 1: brackets nest deeper than 64 levels']);
  });

  it('keeps accepting the longest names and values Kubernetes allows', () => {
    const longest = edit(canaryRollout(), [
      ['metadata.name', 'r'.repeat(63)],
      ['metadata.labels', { [`${'p'.repeat(253)}/${'n'.repeat(63)}`]: 'v'.repeat(63), ...manyEntries(63) }],
      [
        'spec.template.spec.containers[0].image',
        `registry.example.com:5000/${'a'.repeat(255)}:${'t'.repeat(128)}@sha256:${'f'.repeat(64)}`,
      ],
      ['spec.strategy.canary.steps[1].pause.duration', '596523h14m7s'],
      ['spec.progressDeadlineSeconds', 2_147_483_647],
    ]);
    expect(problemsOf(longest)).toEqual([]);
  });
});
