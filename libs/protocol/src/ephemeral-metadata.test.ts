import { describe, expect, it } from 'vitest';
import { injectedEphemeralMetadata } from './ephemeral-metadata.js';

describe('injectedEphemeralMetadata', () => {
  it('reads the injected metadata from the ephemeral-metadata annotation, ignoring one that is not JSON', () => {
    expect(injectedEphemeralMetadata({ 'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"stable"}}' })).toEqual({
      labels: { role: 'stable' },
    });
    expect(injectedEphemeralMetadata({ 'rollout.argoproj.io/ephemeral-metadata': '{role' })).toBeUndefined();
    expect(injectedEphemeralMetadata(undefined)).toBeUndefined();
  });
});
