import { describe, expect, it } from 'vitest';
import { restartTime, type RestartTimeDecision, type RestartTiming } from './restart.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');

describe('restartTime', () => {
  it.each<[string, RestartTiming, RestartTimeDecision]>([
    ['neither: when the operation is carried out', {}, { ok: true, at: undefined }],
    ['in 30s: now + 30s, as Argo has it', { in: '30s' }, { ok: true, at: '2026-12-05T12:00:30.000Z' }],
    ['in 0s: now', { in: '0s' }, { ok: true, at: '2026-12-05T12:00:00.000Z' }],
    ['in 168h: the furthest allowed', { in: '168h' }, { ok: true, at: '2026-12-12T12:00:00.000Z' }],
    ['at a time within a week', { at: new Date('2026-12-06T08:00:00Z') }, { ok: true, at: '2026-12-06T08:00:00.000Z' }],
    ['in a negative duration', { in: '-5s' }, { ok: false, problem: { path: 'in', message: 'must not be negative, not "-5s"' } }],
    ['in beyond a week', { in: '169h' }, { ok: false, problem: { path: 'in', message: 'must be at most 168h, not "169h"' } }],
    [
      'in that is no duration',
      { in: 'soon' },
      { ok: false, problem: { path: 'in', message: 'must be a duration such as 30s, 5m or 1h, not "soon"' } },
    ],
    [
      'at in the past',
      { at: new Date('2026-12-05T11:59:59Z') },
      { ok: false, problem: { path: 'at', message: 'must not be in the past, not 2026-12-05T11:59:59.000Z' } },
    ],
    [
      'at beyond a week',
      { at: new Date('2026-12-12T12:00:01Z') },
      { ok: false, problem: { path: 'at', message: 'must be within 168h of now, not 2026-12-12T12:00:01.000Z' } },
    ],
    ['both in and at', { in: '30s', at: NOW }, { ok: false, problem: { path: 'in', message: 'give either in or at, not both' } }],
  ])('%s', (_name, timing, decision) => {
    expect(restartTime(timing, NOW)).toEqual(decision);
  });
});
