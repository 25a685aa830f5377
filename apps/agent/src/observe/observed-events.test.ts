import { describe, expect, it } from 'vitest';
import { eventAsCached } from '../kube/event-caches.js';
import type { EventObject } from '../kube/kube-object.js';
import { observedEvents } from './observed-events.js';

const event = (name: string, lastTimestamp: string | null, extra: Partial<EventObject> = {}): EventObject => ({
  metadata: { name, namespace: 'shop', creationTimestamp: '2026-11-22T09:00:00Z' },
  involvedObject: { kind: 'Pod', name: 'web-abc-x1' },
  type: 'Normal',
  reason: 'Pulled',
  message: 'Container image pulled',
  count: 1,
  lastTimestamp,
  ...extra,
});

describe('observedEvents', () => {
  it('reports the 20 newest, newest first, the same order for the same events', () => {
    const events = Array.from({ length: 25 }, (_, index) =>
      event(`e${index}`, new Date(Date.UTC(2026, 10, 22, 10, 0, index)).toISOString()),
    );
    const reported = observedEvents([...events].reverse());
    expect(reported).toHaveLength(20);
    expect(reported[0]?.lastSeenAt).toBe('2026-11-22T10:00:24.000Z');
    expect(reported[19]?.lastSeenAt).toBe('2026-11-22T10:00:05.000Z');
    expect(observedEvents(events)).toEqual(reported);
  });

  it.each<[string, EventObject, { lastSeenAt: string; count: number } | undefined]>([
    [
      'its last timestamp and count',
      event('a', '2026-11-22T10:00:00Z', { count: 3 }),
      { lastSeenAt: '2026-11-22T10:00:00.000Z', count: 3 },
    ],
    [
      'its series, when it has one',
      event('a', null, { eventTime: '2026-11-22T10:00:00.000000Z', series: { count: 7, lastObservedTime: '2026-11-22T10:05:00.000000Z' } }),
      { lastSeenAt: '2026-11-22T10:05:00.000Z', count: 7 },
    ],
    ['its creation, without any other time', event('a', null, { count: undefined }), { lastSeenAt: '2026-11-22T09:00:00.000Z', count: 1 }],
    ['nothing, about no object', event('a', '2026-11-22T10:00:00Z', { involvedObject: { kind: 'Pod' } }), undefined],
  ])('reads when and how often from %s', (_title, input, expected) => {
    const [reported] = observedEvents([input]);
    expect(reported === undefined ? undefined : { lastSeenAt: reported.lastSeenAt, count: reported.count }).toEqual(expected);
  });
});

describe('eventAsCached', () => {
  it('keeps a message of 1,024 characters and cuts a longer one to 1,024 ending in …', () => {
    expect(eventAsCached(event('a', null, { message: 'm'.repeat(1024) })).message).toBe('m'.repeat(1024));
    const cut = eventAsCached(event('a', null, { message: 'm'.repeat(5000) })).message ?? '';
    expect([cut.length, cut.endsWith('…')]).toEqual([1024, true]);
  });
});
