import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildFleet } from '../../tools/src/bench/control-plane/engine-fleet.js';
import { copyAsLoaded, jsonbText } from '../../tools/src/bench/control-plane/loaded-copy.js';

/**
 * bench:engine decides on copies of its inputs made as a worker loads them: parsed from the text a `jsonb` column
 * gives back. Postgres, not the emulation, says what that text is.
 */
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

/** The value as Postgres hands a `jsonb` column of it back, parsed (its key order kept). */
async function throughJsonb(value: unknown): Promise<unknown> {
  const result = await client.query<{ text: string }>('SELECT $1::jsonb::text AS text', [JSON.stringify(value)]);
  return JSON.parse(result.rows[0]?.text ?? 'null');
}

describe('jsonbText', () => {
  it('orders keys as Postgres does: by UTF-8 length, then byte by byte, at every depth', async () => {
    // Given keys whose order differs by code units, by UTF-8 bytes and by length, nested in objects and arrays
    const value = { bb: 1, a: { aa: 1, é: 2, b: 3, ab: 4 }, ab: [{ yy: 1, x: 2 }], 'ü-ü': null, 'u-uuu': true };

    // Then the text is Postgres's, key for key
    expect(jsonbText(value)).toBe(JSON.stringify(await throughJsonb(value)));
  });

  it("orders every key of the benchmark fleet's inputs as Postgres does", async () => {
    // Given one input of each kind the fleet has
    const fleet = buildFleet(40, () => undefined);
    const inputs = [...new Map(fleet.map(({ scenario, input }) => [scenario, input])).values()];
    expect(inputs.length).toBeGreaterThan(5);

    for (const { now: _now, ...stored } of inputs) {
      // Then each renders as the text its jsonb column would give back
      expect(jsonbText(stored)).toBe(JSON.stringify(await throughJsonb(stored)));
    }
  });
});

describe('copyAsLoaded', () => {
  it('gives an equal input of new objects, with its clock a Date', () => {
    // Given an input of the fleet
    const [rollout] = buildFleet(10, () => undefined);
    const input = rollout?.input;
    if (!input) throw new Error('the fleet is empty');

    // When it is copied as loaded
    const loaded = copyAsLoaded(input);

    // Then it is equal, shares no object, and its time is a Date of the same instant
    expect(loaded).toEqual(input);
    expect(loaded.rollout.spec).not.toBe(input.rollout.spec);
    expect(loaded.observed).not.toBe(input.observed);
    expect(loaded.now).toBeInstanceOf(Date);
    expect(loaded.now.getTime()).toBe(input.now.getTime());
  });
});
