import { describe, expect, it } from 'vitest';
import { ChangeHistory, type StoreChange } from './change-history.js';
import { POD } from './resource-catalogue.js';

const change = (revision: number): StoreChange => ({
  type: 'ADDED',
  resource: POD,
  revision,
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${revision}`, uid: `u${revision}`, resourceVersion: String(revision), creationTimestamp: '2026-01-01T00:00:00Z' },
  },
});

describe('ChangeHistory', () => {
  it.each([
    [3, 10, 7, [8, 9, 10]],
    [3, 10, 9, [10]],
    [3, 10, 10, []],
    [5, 4, 0, [1, 2, 3, 4]],
    [4, 40, 37, [38, 39, 40]],
  ])('keeping %d of %d changes, since %d replays %j', (limit, written, since, expected) => {
    const history = new ChangeHistory(limit);
    for (let revision = 1; revision <= written; revision += 1) history.record(change(revision));
    expect(history.since(since).map((kept) => kept.revision)).toEqual(expected);
  });

  it.each([
    [3, 10, 7],
    [5, 4, 0],
    [4, 40, 36],
  ])('keeping %d of %d changes compacts through revision %d', (limit, written, compacted) => {
    const history = new ChangeHistory(limit);
    for (let revision = 1; revision <= written; revision += 1) history.record(change(revision));
    expect(history.compactedRevision).toBe(compacted);
  });
});
