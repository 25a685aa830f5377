import { describe, expect, it } from 'vitest';
import { parseManifests, type ValidationContext } from './parse-manifests.js';
import { canaryRollout, context, edit, fleetRollout, freezeWindow, yaml } from './documents.fixtures.js';

type ExpectedIssue = readonly [documentIndex: number, path: string, reasonWord: string];

const organizationContext: ValidationContext = { knownAnalysisTemplates: new Map(), knownClusterAnalysisTemplates: new Map() };

function expectIssues(text: string, expected: readonly ExpectedIssue[], validationContext = organizationContext): void {
  const result = parseManifests(text, validationContext);
  expect(result.ok).toBe(false);
  expect(result.ok ? [] : result.errors).toEqual(
    expected.map(([documentIndex, path, reasonWord]) => ({ documentIndex, path, message: expect.stringContaining(reasonWord) as unknown })),
  );
}

const withSchedule = (schedule: string): string => yaml(edit(freezeWindow(), [['spec.schedule', schedule]]));
const fixed = (start: unknown, end: unknown): string =>
  yaml(
    edit(freezeWindow(), [
      ['spec.schedule', undefined],
      ['spec.start', start],
      ['spec.end', end],
    ]),
  );
const WEEKLY = 'RRULE:FREQ=WEEKLY;BYDAY=FR';

describe('parseManifests accepts FreezeWindows', () => {
  it('with a schedule or fixed times, exactly as written, in the organization', () => {
    const xmas = {
      ...freezeWindow(),
      metadata: { name: 'xmas' },
      spec: { reason: 'holidays', start: '2026-12-24T00:00:00Z', end: '2027-01-02T00:00:00+01:00' },
    };
    expect(parseManifests(yaml(freezeWindow(), xmas), organizationContext)).toEqual({ ok: true, documents: [freezeWindow(), xmas] });
  });

  it('written by hand, with unquoted times, a UTC DTSTART and beside a FleetRollout', () => {
    const text = `apiVersion: flotilla.io/v1alpha1
kind: FreezeWindow
metadata: { name: xmas }
spec:
  reason: holidays
  start: 2026-12-24T00:00:00Z
  end: 2027-01-02T00:00:00Z
---
apiVersion: flotilla.io/v1alpha1
kind: FreezeWindow
metadata: { name: nightly }
spec:
  reason: batch jobs
  schedule: |
    DTSTART:20260101T220000Z
    RRULE:FREQ=DAILY;UNTIL=20271231T235959Z
    DURATION:PT6H
---
${yaml(fleetRollout())}`;
    expect(parseManifests(text, organizationContext)).toMatchObject({
      ok: true,
      documents: [{ spec: { start: '2026-12-24T00:00:00Z' } }, {}, {}],
    });
  });
});

describe('parseManifests refuses invalid FreezeWindows, naming the field and the reason', () => {
  it.each([
    ['a namespace', yaml(edit(freezeWindow(), [['metadata.namespace', 'shop']])), 'metadata.namespace', 'belongs to the organization'],
    ['no reason', yaml(edit(freezeWindow(), [['spec.reason', undefined]])), 'spec.reason', 'required'],
    ['an empty reason', yaml(edit(freezeWindow(), [['spec.reason', ' ']])), 'spec.reason', 'must not be empty'],
    ['a reason over 1024 characters', yaml(edit(freezeWindow(), [['spec.reason', 'x'.repeat(1025)]])), 'spec.reason', 'at most 1024'],
    ['an unknown field', yaml(edit(freezeWindow(), [['spec.timezone', 'UTC']])), 'spec.timezone', 'unknown field'],
    ['an unknown policy', yaml(edit(freezeWindow(), [['spec.policy', 'stop']])), 'spec.policy', '"hold"'],
    ['an empty selector', yaml(edit(freezeWindow(), [['spec.clusterSelector', {}]])), 'spec.clusterSelector', 'cover every cluster'],
    ['a namespace with a dot', yaml(edit(freezeWindow(), [['spec.namespaces[1]', 'a.b']])), 'spec.namespaces[1]', 'lowercase'],
    ['a namespace twice', yaml(edit(freezeWindow(), [['spec.namespaces[1]', 'shop']])), 'spec.namespaces[1]', 'listed twice'],
    ['an empty list of namespaces', yaml(edit(freezeWindow(), [['spec.namespaces', []]])), 'spec.namespaces', 'must not be empty'],
    [
      '101 namespaces',
      yaml(edit(freezeWindow(), [['spec.namespaces', Array.from({ length: 101 }, (_, index) => `ns${index}`)]])),
      'spec.namespaces',
      'at most 100 items',
    ],
    ['neither schedule nor times', yaml(edit(freezeWindow(), [['spec.schedule', undefined]])), 'spec', 'needs a schedule'],
    ['both forms', yaml(edit(freezeWindow(), [['spec.start', '2026-12-24T00:00:00Z']])), 'spec.schedule', 'not both'],
    ['a start without end', fixed('2026-12-24T00:00:00Z', undefined), 'spec.end', 'required'],
    ['an end without start', fixed(undefined, '2026-12-24T00:00:00Z'), 'spec.start', 'required'],
    ['a start that is no RFC 3339 time', fixed('2026-12-24', '2027-01-02T00:00:00Z'), 'spec.start', 'RFC 3339'],
    ['an end before the start', fixed('2026-12-24T00:00:00Z', '2026-12-23T00:00:00Z'), 'spec.end', 'after spec.start'],
    ['an end equal to the start', fixed('2026-12-24T01:00:00+01:00', '2026-12-24T00:00:00Z'), 'spec.end', 'after spec.start'],
    ['a floating DTSTART', withSchedule(`DTSTART:20261204T160000\n${WEEKLY}\nDURATION:PT64H`), 'spec.schedule', 'must carry a TZID'],
    ['an unknown zone', withSchedule(`DTSTART;TZID=Europe/Atlantis:20261204T160000\nDURATION:PT1H`), 'spec.schedule', 'no IANA time zone'],
    ['no DTSTART', withSchedule(`${WEEKLY}\nDURATION:PT64H`), 'spec.schedule', 'DTSTART is required'],
    ['no DURATION', withSchedule(`DTSTART:20261204T160000Z\n${WEEKLY}`), 'spec.schedule', 'DURATION is required'],
    ['a zero DURATION', withSchedule('DTSTART:20261204T160000Z\nDURATION:PT0S'), 'spec.schedule', 'must be positive'],
    ['a DURATION over 31 days', withSchedule('DTSTART:20261204T160000Z\nDURATION:P31DT1S'), 'spec.schedule', 'at most 31 days'],
    ['a malformed DURATION', withSchedule('DTSTART:20261204T160000Z\nDURATION:64H'), 'spec.schedule', 'no RFC 5545 duration'],
    ['a 30 February DTSTART', withSchedule('DTSTART:20260230T160000Z\nDURATION:PT1H'), 'spec.schedule', 'no calendar time'],
    [
      'an RRULE with an unknown part',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=WEEKLY;BYDAYS=FR\nDURATION:PT1H'),
      'spec.schedule',
      'RRULE is not valid',
    ],
    [
      'an RRULE with a bad weekday',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX\nDURATION:PT1H'),
      'spec.schedule',
      'BYDAY value "XX"',
    ],
    [
      'an RRULE with BYMONTH 13',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=YEARLY;BYMONTH=13\nDURATION:PT1H'),
      'spec.schedule',
      'BYMONTH value "13"',
    ],
    [
      'an RRULE with BYHOUR -1',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=DAILY;BYHOUR=-1\nDURATION:PT1H'),
      'spec.schedule',
      'BYHOUR value "-1"',
    ],
    ['an RRULE without FREQ', withSchedule('DTSTART:20261204T160000Z\nRRULE:BYDAY=FR\nDURATION:PT1H'), 'spec.schedule', 'needs a FREQ'],
    ['a minutely RRULE', withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=MINUTELY\nDURATION:PT1M'), 'spec.schedule', 'hourly at most'],
    [
      'an RRULE with BYSECOND',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=DAILY;BYSECOND=5\nDURATION:PT1H'),
      'spec.schedule',
      'BYSECOND',
    ],
    ['a COUNT over 10000', withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=DAILY;COUNT=10001\nDURATION:PT1H'), 'spec.schedule', 'COUNT'],
    [
      'COUNT and UNTIL',
      withSchedule('DTSTART:20261204T160000Z\nRRULE:FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z\nDURATION:PT1H'),
      'spec.schedule',
      'both COUNT and UNTIL',
    ],
    ['an RDATE line', withSchedule('DTSTART:20261204T160000Z\nRDATE:20261205T160000Z\nDURATION:PT1H'), 'spec.schedule', 'not understood'],
    ['two DTSTART lines', withSchedule('DTSTART:20261204T160000Z\nDTSTART:20261205T160000Z\nDURATION:PT1H'), 'spec.schedule', 'once'],
  ] as const)('%s', (_title, text, path, reasonWord) => {
    expectIssues(text, [[0, path, reasonWord]]);
  });

  it('refuses a FreezeWindow beside namespaced documents', () => {
    expectIssues(yaml(canaryRollout(), freezeWindow()), [[1, 'kind', 'a FreezeWindow belongs to the organization']], context);
  });

  it('refuses one FreezeWindow name twice', () => {
    expectIssues(yaml(freezeWindow(), freezeWindow()), [[1, 'metadata.name', 'FreezeWindow "weekend" is already defined by document 0']]);
  });
});
