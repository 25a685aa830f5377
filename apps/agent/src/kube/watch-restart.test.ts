import { describe, expect, it } from 'vitest';
import { KubeApiError } from './kube-client.js';
import { decideWatchRestart, type WatchEnd } from './watch-restart.js';

const cleanEnd: WatchEnd = { error: undefined, errorEvent: undefined, receivedEvents: true, lastedMs: 290_000 };
const refused = (status: number): KubeApiError => new KubeApiError('GET', '/api/v1/pods', status, 'Unknown', 'refused');

describe('decideWatchRestart', () => {
  it.each<[string, Partial<WatchEnd>, ReturnType<typeof decideWatchRestart>]>([
    ['a watch the server timed out', {}, { from: 'lastResourceVersion', afterBackoff: false }],
    ['a long watch that saw nothing', { receivedEvents: false }, { from: 'lastResourceVersion', afterBackoff: false }],
    ['a short watch with events', { lastedMs: 50 }, { from: 'lastResourceVersion', afterBackoff: false }],
    [
      'a watch ended at once with nothing in it',
      { receivedEvents: false, lastedMs: 50 },
      { from: 'lastResourceVersion', afterBackoff: true },
    ],
    ['an ERROR event 410', { errorEvent: { code: 410, reason: 'Expired' } }, { from: 'list', afterBackoff: false }],
    ['an ERROR event 500', { errorEvent: { code: 500, reason: 'InternalError' } }, { from: 'lastResourceVersion', afterBackoff: true }],
    ['an ERROR event 429', { errorEvent: { code: 429 }, lastedMs: 5 }, { from: 'lastResourceVersion', afterBackoff: true }],
    ['an ERROR event without a code', { errorEvent: {} }, { from: 'lastResourceVersion', afterBackoff: true }],
    ['a watch refused with 410', { error: refused(410) }, { from: 'list', afterBackoff: false }],
    ['a watch refused with 403', { error: refused(403) }, { from: 'list', afterBackoff: true }],
    ['a broken connection', { error: refused(0) }, { from: 'lastResourceVersion', afterBackoff: true }],
  ])('restarts after %s', (_case, end, expected) => {
    expect(decideWatchRestart({ ...cleanEnd, ...end })).toEqual(expected);
  });
});
