import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { PatchError } from './patch-error.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 9 } }, { a: 1, b: { c: 9, d: 3 } }],
    [{ a: 1, b: 2 }, { b: null }, { a: 1 }],
    [{ list: [1, 2, 3] }, { list: [4] }, { list: [4] }],
    [{ a: { b: 1 } }, { a: 'flat' }, { a: 'flat' }],
    [{ a: 1 }, { n: { deep: { x: 1 } } }, { a: 1, n: { deep: { x: 1 } } }],
  ])('%j patched by %j is %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const document = { spec: { replicas: 1, list: ['a', 'b'] }, metadata: { labels: { 'app/name': 'x' } } };

  it.each([
    [[{ op: 'replace', path: '/spec/replicas', value: 3 }], { ...document, spec: { ...document.spec, replicas: 3 } }],
    [[{ op: 'add', path: '/spec/list/-', value: 'c' }], { ...document, spec: { ...document.spec, list: ['a', 'b', 'c'] } }],
    [[{ op: 'add', path: '/spec/list/0', value: 'z' }], { ...document, spec: { ...document.spec, list: ['z', 'a', 'b'] } }],
    [[{ op: 'remove', path: '/spec/list/0' }], { ...document, spec: { ...document.spec, list: ['b'] } }],
    [[{ op: 'remove', path: '/metadata/labels/app~1name' }], { ...document, metadata: { labels: {} } }],
    [[{ op: 'move', from: '/spec/replicas', path: '/spec/count' }], { ...document, spec: { list: ['a', 'b'], count: 1 } }],
    [[{ op: 'copy', from: '/spec/replicas', path: '/spec/count' }], { ...document, spec: { ...document.spec, count: 1 } }],
    [
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 2 },
      ],
      { ...document, spec: { ...document.spec, replicas: 2 } },
    ],
  ])('%j', (patch, expected) => {
    expect(applyJsonPatch(document, patch)).toEqual(expected);
  });

  it.each([
    [[{ op: 'test', path: '/spec/replicas', value: 5 }], false],
    [[{ op: 'remove', path: '/spec/missing' }], false],
    [[{ op: 'replace', path: '/spec/list/7', value: 1 }], false],
    [[{ op: 'jump', path: '/spec' }], true],
    [[{ op: 'add', path: 'spec', value: 1 }], true],
    [{ op: 'add' }, true],
  ])('%j is refused (malformed: %s)', (patch, malformed) => {
    expect(() => applyJsonPatch(document, patch)).toThrow(expect.objectContaining({ malformed }) as PatchError);
  });

  it('leaves the original document untouched', () => {
    const original = structuredClone(document);
    applyJsonPatch(document, [{ op: 'remove', path: '/spec/list/0' }]);
    expect(document).toEqual(original);
  });
});

describe('strategic merge patch', () => {
  const pod = {
    metadata: { finalizers: ['a'] },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [{ containerPort: 80, name: 'http' }],
        },
        { name: 'proxy', image: 'proxy:1' },
      ],
      tolerations: [{ key: 'x' }],
    },
  };

  it.each([
    [
      'merges containers by name',
      { spec: { containers: [{ name: 'app', image: 'app:2' }] } },
      (result: typeof pod) => expect(result.spec.containers.map((container) => container.image)).toEqual(['app:2', 'proxy:1']),
    ],
    [
      'merges env by name and keeps the rest',
      {
        spec: {
          containers: [
            {
              name: 'app',
              env: [
                { name: 'B', value: '3' },
                { name: 'C', value: '4' },
              ],
            },
          ],
        },
      },
      (result: typeof pod) =>
        expect(result.spec.containers[0]?.env).toEqual([
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ]),
    ],
    [
      'merges container ports by containerPort',
      { spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 9090 }] }] } },
      (result: typeof pod) =>
        expect(result.spec.containers[0]?.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 9090 }]),
    ],
    [
      'deletes an element with $patch: delete',
      { spec: { containers: [{ name: 'proxy', $patch: 'delete' }] } },
      (result: typeof pod) => expect(result.spec.containers.map((container) => container.name)).toEqual(['app']),
    ],
    [
      'replaces lists without a merge key',
      { spec: { tolerations: [{ key: 'y' }] } },
      (result: typeof pod) => expect(result.spec.tolerations).toEqual([{ key: 'y' }]),
    ],
    [
      'unions finalizers',
      { metadata: { finalizers: ['a', 'b'] } },
      (result: typeof pod) => expect(result.metadata.finalizers).toEqual(['a', 'b']),
    ],
    [
      'removes scalars with $deleteFromPrimitiveList',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      (result: typeof pod) => expect(result.metadata.finalizers).toEqual([]),
    ],
    [
      'orders with $setElementOrder',
      { spec: { '$setElementOrder/containers': [{ name: 'proxy' }, { name: 'app' }], containers: [{ name: 'proxy', image: 'proxy:2' }] } },
      (result: typeof pod) =>
        expect(result.spec.containers.map((container) => `${container.name}=${container.image}`)).toEqual(['proxy=proxy:2', 'app=app:1']),
    ],
    [
      'replaces a whole map with $patch: replace',
      { spec: { $patch: 'replace', containers: [{ name: 'only', image: 'only:1' }] } },
      (result: typeof pod) => expect(result.spec).toEqual({ containers: [{ name: 'only', image: 'only:1' }] }),
    ],
    [
      'removes fields set to null',
      { spec: { tolerations: null } },
      (result: typeof pod) => expect(result.spec).not.toHaveProperty('tolerations'),
    ],
  ])('%s', (_, patch, check) => {
    check(applyStrategicMergePatch(pod, patch) as typeof pod);
  });

  it('merges service ports by port', () => {
    const service = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    expect(applyStrategicMergePatch(service, { spec: { ports: [{ port: 80, targetPort: 9090 }] } })).toEqual({
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    });
  });

  it('refuses a merge-keyed element without its key', () => {
    expect(() => applyStrategicMergePatch(pod, { spec: { containers: [{ image: 'x' }] } })).toThrow(PatchError);
  });
});
