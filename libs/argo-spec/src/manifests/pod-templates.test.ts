import { describe, expect, it } from 'vitest';
import { checkPodTemplate } from './pod-templates.js';

const container = (name: string, image = 'shop/checkout:2') => ({ name, image });

describe('checkPodTemplate', () => {
  it('answers a sound template as it was given', () => {
    const template = { metadata: { labels: { app: 'checkout' } }, spec: { containers: [container('checkout')] } };
    expect(checkPodTemplate(template, 'template')).toEqual({ ok: true, template });
  });

  it.each([
    ['not a mapping', 'checkout:2', 'template'],
    ['no spec', { metadata: {} }, 'template.spec'],
    ['no containers', { spec: { containers: [] } }, 'template.spec.containers'],
    ['an invalid image', { spec: { containers: [container('checkout', 'Shop/Checkout::2')] } }, 'template.spec.containers[0].image'],
    ['an invalid container name', { spec: { containers: [container('Check_out')] } }, 'template.spec.containers[0].name'],
    ['two containers of one name', { spec: { containers: [container('app'), container('app')] } }, 'template.spec.containers[1].name'],
    ['ephemeral containers', { spec: { containers: [container('app')], ephemeralContainers: [] } }, 'template.spec.ephemeralContainers'],
    ['a NUL character', { spec: { containers: [container('app', 'shop/app:2\u0000')] } }, 'template.spec.containers[0].image'],
    [
      'an invalid label',
      { metadata: { labels: { app: 'not ok' } }, spec: { containers: [container('app')] } },
      'template.metadata.labels[app]',
    ],
  ])('refuses %s, naming the field under the path given', (_case, template, path) => {
    const result = checkPodTemplate(template, 'template');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toContain(path);
  });
});
