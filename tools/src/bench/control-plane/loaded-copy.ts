import type { ReconcileInput } from '@flotilla/rollout-engine';

const utf8 = new TextEncoder();

/**
 * Postgres's order of the keys of a `jsonb` object: shorter keys first by their UTF-8 length, then byte by byte.
 * @example ['bb', 'a', 'c'].sort(compareJsonbKeys) // → ['a', 'c', 'bb']
 */
export function compareJsonbKeys(left: string, right: string): number {
  const leftBytes = utf8.encode(left);
  const rightBytes = utf8.encode(right);
  if (leftBytes.length !== rightBytes.length) return leftBytes.length - rightBytes.length;
  for (let index = 0; index < leftBytes.length; index++) {
    const difference = (leftBytes[index] as number) - (rightBytes[index] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A value as JSON text with every object's keys in Postgres's `jsonb` order, as a `jsonb` column hands it back.
 * @example jsonbText({ bb: 1, a: { y: 1, x: 2 } }) // → '{"a":{"x":2,"y":1},"bb":1}' */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
    const record = field as Record<string, unknown>;
    const ordered: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort(compareJsonbKeys)) ordered[key] = record[key];
    return ordered;
  });
}

/**
 * A reconcile input as a worker has it after loading its rollout: parsed from the text of `jsonb` columns (keys in
 * that order, objects as `JSON.parse` builds them), its clock's `now` and a freeze's end `Date`s. A worker never
 * decides on objects its own process built, nor on `structuredClone` copies, whose objects V8 lays out otherwise.
 */
export function copyAsLoaded(input: ReconcileInput): ReconcileInput {
  const { now, freeze, ...stored } = input;
  const loaded = JSON.parse(jsonbText(stored)) as Omit<ReconcileInput, 'now' | 'freeze'>;
  return {
    ...loaded,
    now: new Date(now.getTime()),
    ...(freeze ? { freeze: { ...freeze, until: new Date(freeze.until.getTime()) } } : {}),
  };
}
