import type { CanaryStrategy, BlueGreenStrategy, RolloutSpec } from '@flotilla/argo-spec';

/** A rollout spec of one `app` container, labelled `app: checkout`. */
export function rolloutSpec(
  strategy: { canary?: CanaryStrategy; blueGreen?: BlueGreenStrategy },
  overrides: Partial<RolloutSpec> = {},
): RolloutSpec {
  return {
    replicas: 5,
    selector: { matchLabels: { app: 'checkout' } },
    template: {
      metadata: { labels: { app: 'checkout' } },
      spec: { containers: [{ name: 'app', image: 'shop/checkout:1.0' }] },
    },
    strategy,
    ...overrides,
  };
}

export const START = new Date('2026-03-01T10:00:00.000Z');
