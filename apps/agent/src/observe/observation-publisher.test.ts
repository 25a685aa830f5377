import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observationDigest } from '@flotilla/protocol';
import { ObservationPublisher, type ObservedMessage } from './observation-publisher.js';

// The canonical text stands in for its SHA-256: what matters is which observation a digest covers.
const canonicalText = (text: string): string => text;

/** What the cluster shows of each rollout: its ready replicas, as the observation carries them. */
const cluster = new Map<string, number>();

const observationOf = (key: string): ObservedMessage | undefined => {
  const ready = cluster.get(key);
  if (ready === undefined) return undefined;
  const [namespace = '', name = ''] = key.split('/');
  return {
    type: 'observed',
    rollout: { namespace, name },
    desiredVersion: 1,
    state: {
      observedAt: new Date().toISOString(),
      replicaSets: [
        {
          podTemplateHash: 'abc',
          labels: {},
          annotations: {},
          replicas: 3,
          currentReplicas: 3,
          readyReplicas: ready,
          availableReplicas: ready,
          template: { metadata: {}, spec: { containers: [{ name: 'app', image: 'shop/app:1' }] } },
          podProblems: [],
          oldestPodCreatedAt: undefined,
        },
      ],
      serviceSelectors: {},
      trafficWeights: {},
    },
  };
};

describe('ObservationPublisher', () => {
  let sent: ({ key: string; ready: number } | { digests: { key: string; digest: string }[] })[];
  let connected: boolean;
  let busy: boolean;
  let publisher: ObservationPublisher;

  beforeEach(() => {
    vi.useFakeTimers();
    cluster.clear();
    cluster.set('shop/cart', 1).set('shop/web', 3);
    sent = [];
    connected = true;
    busy = false;
    publisher = new ObservationPublisher(
      observationOf,
      () => cluster.keys(),
      (message) => {
        if (!connected) return false;
        if (message.type === 'observedDigests')
          sent.push({ digests: message.rollouts.map(({ rollout, digest }) => ({ key: `${rollout.namespace}/${rollout.name}`, digest })) });
        else
          sent.push({
            key: `${message.rollout.namespace}/${message.rollout.name}`,
            ready: message.state.replicaSets[0]?.readyReplicas ?? -1,
          });
        return true;
      },
      { debounceMs: 50, intervalMs: 30_000, deferWhile: () => busy, maxDeferMs: 1_000, sha256Hex: canonicalText },
    );
  });
  afterEach(() => {
    publisher.stop();
    vi.useRealTimers();
  });

  it('coalesces the changes of one debounce window into one message, and sends nothing when nothing changed', () => {
    publisher.changed('shop/cart');
    cluster.set('shop/cart', 2);
    publisher.changed('shop/cart');
    vi.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([{ key: 'shop/cart', ready: 2 }]);

    publisher.changed('shop/cart');
    vi.advanceTimersByTime(50);
    expect(sent).toHaveLength(1);
  });

  it('sends every rollout again at each interval, changed or not', () => {
    publisher.changed('shop/cart');
    vi.advanceTimersByTime(50);
    vi.advanceTimersByTime(30_000 - 50);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/web', ready: 3 },
    ]);
  });

  it('lists unchanged rollouts by digest at each interval when the control plane takes digests, and sends in full what changed or what it asks for', () => {
    // Given a connection to a control plane that takes digests: everything is sent in full at once
    publisher.connected(true);
    expect(sent).toEqual([
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/web', ready: 3 },
    ]);
    const cartDigest = observationDigest((observationOf('shop/cart') as ObservedMessage).state, canonicalText);

    // When the interval passes with web changed unnoticed, then web goes in full and cart by its digest
    cluster.set('shop/web', 2);
    vi.advanceTimersByTime(30_000);
    expect(sent.slice(2)).toEqual([{ key: 'shop/web', ready: 2 }, { digests: [{ key: 'shop/cart', digest: cartDigest }] }]);

    // When the control plane asks for cart again, then cart is sent in full though it did not change
    publisher.observeAgain(['shop/cart']);
    vi.advanceTimersByTime(50);
    expect(sent.slice(4)).toEqual([{ key: 'shop/cart', ready: 1 }]);

    // When the next connection's control plane does not take digests, then the interval sends everything in full again
    publisher.connected(false);
    vi.advanceTimersByTime(30_000);
    expect(sent.slice(5)).toEqual([
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/web', ready: 2 },
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/web', ready: 2 },
    ]);
  });

  it('holds observations back while the agent is busy writing, at most maxDeferMs', () => {
    busy = true;
    publisher.changed('shop/web');
    vi.advanceTimersByTime(950);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([{ key: 'shop/web', ready: 3 }]);
  });

  it('sends again what could not be sent, and forgets a rollout that is gone', () => {
    connected = false;
    publisher.changed('shop/cart');
    vi.advanceTimersByTime(50);
    connected = true;
    publisher.changed('shop/cart');
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([{ key: 'shop/cart', ready: 1 }]);

    cluster.delete('shop/cart');
    publisher.forget('shop/cart');
    publisher.publishAll(true);
    expect(sent).toEqual([
      { key: 'shop/cart', ready: 1 },
      { key: 'shop/web', ready: 3 },
    ]);
  });
});
