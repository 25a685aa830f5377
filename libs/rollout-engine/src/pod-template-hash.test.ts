import { describe, expect, it } from 'vitest';
import { canonicalJson, fnv32a, hashOf, podTemplateHash, safeEncodeString } from './pod-template-hash.js';

const template = { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image: 'shop/checkout:1.0' }] } };

describe('pod template hash', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv32a(%j) is the FNV-32a reference value', (text, expected) => {
    expect(fnv32a(text)).toBe(expected);
  });

  it.each([
    ['0', '4'],
    ['123', '567'],
    ['3831378217', '7d757cd65c'],
  ])('safeEncodeString(%j) = %j as in Kubernetes (decimal digits map to 4–9, b, c, d, f)', (text, expected) => {
    expect(safeEncodeString(text)).toBe(expected);
  });

  it('ignores key order and empty objects', () => {
    const reordered = {
      spec: { containers: [{ image: 'shop/checkout:1.0', name: 'app' }] },
      metadata: { annotations: {}, labels: { app: 'checkout' } },
    };
    expect(canonicalJson(reordered)).toBe(canonicalJson(template));
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(template));
  });

  it.each([
    ['an image', { ...template, spec: { containers: [{ name: 'app', image: 'shop/checkout:2.0' }] } }],
    ['a label', { ...template, metadata: { labels: { app: 'checkout', tier: 'web' } } }],
  ])('changes with %s', (_what, changed) => {
    expect(podTemplateHash(changed)).not.toBe(podTemplateHash(template));
  });

  it('changes with the collision count and is a safe label value', () => {
    const hashes = [podTemplateHash(template), podTemplateHash(template, 0), podTemplateHash(template, 1)];
    expect(new Set(hashes).size).toBe(3);
    for (const hash of hashes) expect(hash).toMatch(/^[456789bcdf]{1,10}$/);
  });

  const escaped = {
    metadata: { labels: { app: 'café', team: 'ünïcode 😀' }, annotations: { note: 'say "hi"\\ \n' } },
    spec: {
      containers: [{ name: 'app', image: 'shop/checkout:1.0', env: [{ name: 'A', value: '' }], ports: [{ containerPort: 8080 }] }],
      nodeSelector: {},
    },
  };

  it.each([
    ['a plain template', template, undefined, '5969b85f8'],
    ['a plain template with a collision count', template, 1, 'c96b86dd7'],
    ['a template with escapes, non-ASCII text and an empty object', escaped, undefined, 'db877d5f8'],
    ['a template with escapes and a collision count', escaped, 3, '544ffdd589'],
  ])('keeps the hash of %s, which names its ReplicaSet in every cluster', (_what, hashed, collisionCount, expected) => {
    expect(podTemplateHash(hashed, collisionCount)).toBe(expected);
  });

  it('hashes the canonical JSON without writing it out', () => {
    expect(podTemplateHash(escaped)).toBe(safeEncodeString(String(fnv32a(canonicalJson(escaped)))));
    expect(hashOf([{ setWeight: 20 }, { pause: {} }])).toBe('55c5b85749');
  });
});
