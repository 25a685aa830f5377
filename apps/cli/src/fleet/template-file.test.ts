import { describe, expect, it } from 'vitest';
import { templateFromText } from './template-file.js';

describe('templateFromText', () => {
  const template = { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:3' }] } };

  it('takes a pod template as it is', () => {
    expect(templateFromText(JSON.stringify(template), 't.json')).toEqual(template);
  });

  it("takes a Rollout's spec.template", () => {
    const rollout = `# the manifest of the rollout\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: checkout }\nspec:\n  template: ${JSON.stringify(template)}\n`;
    expect(templateFromText(rollout, 'rollout.yaml')).toEqual(template);
  });

  it.each([
    { text: '', message: 't.yaml holds no template' },
    { text: 'a: 1\n---\nb: 2\n', message: 't.yaml holds 2 documents: give one pod template or one Rollout' },
    { text: '- 1\n', message: 't.yaml must hold a pod template (metadata, spec) or a Rollout' },
    { text: 'metadata: {}\n', message: 't.yaml must hold a pod template with a spec, or a Rollout' },
    { text: 'kind: Rollout\nspec: {}\n', message: 't.yaml: the Rollout has no spec.template' },
    { text: 'spec: [\n', message: 't.yaml is not valid YAML' },
  ])('refuses $text', ({ text, message }) => {
    expect(() => templateFromText(text, 't.yaml')).toThrow(message);
  });
});
