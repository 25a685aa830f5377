import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  membersAtOnce,
  membersToChange,
  planWaves,
  type FleetCluster,
  type FleetSelection,
  type MaxParallel,
  type MemberProgress,
} from './wave-plan.js';

const cluster = (name: string, labels: Record<string, string>): FleetCluster => ({ name, labels });

const fleet: FleetCluster[] = [
  cluster('prod-us-1', { env: 'prod', region: 'us-east-1', tier: 'web' }),
  cluster('staging', { env: 'staging', tier: 'web' }),
  cluster('prod-eu-1', { env: 'prod', region: 'eu-west-1', tier: 'web' }),
  cluster('prod-eu-2', { env: 'prod', region: 'eu-west-1', tier: 'web' }),
  cluster('batch', { env: 'prod', tier: 'batch' }),
];

const checkout: FleetSelection = {
  clusterSelector: { matchLabels: { tier: 'web' } },
  waves: [
    { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } },
    { name: 'first-production', clusterSelector: { matchLabels: { env: 'prod', region: 'eu-west-1' } }, maxParallel: 1 },
    { name: 'rest', maxParallel: '25%' },
  ],
};

describe('planWaves', () => {
  it('puts each selected cluster in the first wave that matches it, and the rest in the wave without a selector', () => {
    expect(planWaves(checkout, fleet)).toEqual({
      waves: [
        { wave: 'staging', clusters: ['staging'] },
        { wave: 'first-production', clusters: ['prod-eu-1', 'prod-eu-2'] },
        { wave: 'rest', clusters: ['prod-us-1'] },
      ],
      unassigned: [],
    });
  });

  it('leaves clusters no wave takes unassigned, and keeps waves that match nothing empty', () => {
    const selection: FleetSelection = {
      waves: [
        { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } },
        { name: 'canary-region', clusterSelector: { matchLabels: { region: 'ap-south-1' } } },
      ],
    };
    expect(planWaves(selection, fleet)).toEqual({
      waves: [
        { wave: 'staging', clusters: ['staging'] },
        { wave: 'canary-region', clusters: [] },
      ],
      unassigned: ['batch', 'prod-eu-1', 'prod-eu-2', 'prod-us-1'],
    });
  });

  it('selects every cluster of the organization when the fleet has no selector', () => {
    expect(planWaves({ waves: [{ name: 'all' }] }, fleet).waves[0]?.clusters).toEqual([
      'batch',
      'prod-eu-1',
      'prod-eu-2',
      'prod-us-1',
      'staging',
    ]);
  });

  it('gives the same plan whatever the order of the clusters, with every selected cluster in one place', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(fleet), (clusters) => {
        const plan = planWaves(checkout, clusters);
        expect(planWaves(checkout, [...clusters].reverse())).toEqual(plan);
        const placed = [...plan.waves.flatMap((wave) => wave.clusters), ...plan.unassigned].sort();
        const selected = clusters.filter((each) => each.labels.tier === 'web').map((each) => each.name);
        expect(placed).toEqual(selected.sort());
      }),
    );
  });
});

describe('membersAtOnce', () => {
  it.each<[MaxParallel | undefined, number, number]>([
    [undefined, 7, 7],
    [1, 7, 1],
    [3, 2, 2],
    [0, 5, 1],
    ['25%', 10, 3],
    ['25%', 4, 1],
    ['25%', 1, 1],
    ['1%', 50, 1],
    ['100%', 6, 6],
    ['50%', 5, 3],
    [2, 0, 0],
  ])('maxParallel %s of %i members: %i at once', (maxParallel, members, expected) => {
    expect(membersAtOnce(maxParallel, members)).toBe(expected);
  });
});

describe('membersToChange', () => {
  it.each<[string, Record<string, MemberProgress>, number, string[]]>([
    ['a first batch, in name order', { c: 'pending', a: 'pending', b: 'pending' }, 2, ['a', 'b']],
    ['the room left beside members still changing', { a: 'settled', b: 'changing', c: 'pending', d: 'pending' }, 2, ['c']],
    ['nothing while the batch is full', { a: 'changing', b: 'changing', c: 'pending' }, 2, []],
    ['nothing once every member changed', { a: 'settled', b: 'changing' }, 3, []],
    ['every member when all may change at once', { a: 'pending', b: 'pending' }, 2, ['a', 'b']],
  ])('%s', (_case, members, atOnce, expected) => {
    expect(membersToChange(members, atOnce)).toEqual(expected);
  });

  it('never has more than its share of a wave changing at once, and changes every member in the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (size, atOnce, settles) => {
          const members: Record<string, MemberProgress> = {};
          for (let index = 0; index < size; index += 1) members[`m${String(index).padStart(2, '0')}`] = 'pending';
          const step = (): void => {
            for (const name of membersToChange(members, atOnce)) members[name] = 'changing';
            expect(Object.values(members).filter((state) => state === 'changing').length).toBeLessThanOrEqual(atOnce);
          };
          for (const settle of settles) {
            step();
            const first = Object.keys(members).find((name) => members[name] === 'changing');
            if (settle && first) members[first] = 'settled';
          }
          for (let round = 0; round <= size; round += 1) {
            step();
            for (const name of Object.keys(members)) if (members[name] === 'changing') members[name] = 'settled';
          }
          expect(Object.values(members).every((state) => state === 'settled')).toBe(true);
        },
      ),
    );
  });
});
