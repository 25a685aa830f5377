import { describe, expect, it } from 'vitest';
import { uuidV7 } from './sql.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('makes version 7 UUIDs whose first 48 bits are the given time in milliseconds', () => {
    const now = Date.parse('2026-12-04T12:00:00.123Z');
    const id = uuidV7(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('never repeats one, across many refills of its random bytes', () => {
    const now = Date.now();
    const ids = Array.from({ length: 5_000 }, () => uuidV7(now));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by time as text', () => {
    const earlier = uuidV7(Date.parse('2026-12-04T12:00:00.000Z'));
    const later = uuidV7(Date.parse('2026-12-04T12:00:00.001Z'));
    expect(earlier < later).toBe(true);
  });
});
