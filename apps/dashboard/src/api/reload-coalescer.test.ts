import { describe, expect, it } from 'vitest';
import { ReloadCoalescer } from './reload-coalescer.js';

/** A coalescer that counts the reloads it starts. */
function countedReloads() {
  let reloads = 0;
  const coalescer = new ReloadCoalescer(() => (reloads += 1));
  return { coalescer, reloads: () => reloads };
}

describe('reloads of one query', () => {
  it('start a request at once when none is in flight', () => {
    const { coalescer, reloads } = countedReloads();
    coalescer.sent(1);
    expect(coalescer.answered(1)).toBe(false);
    coalescer.ask();
    expect(reloads()).toBe(1);
  });

  it('asked for while a request is being sent or in flight start one more, after it answers', () => {
    const { coalescer, reloads } = countedReloads();
    coalescer.ask();
    coalescer.ask();
    expect(reloads()).toBe(1);
    coalescer.sent(1);
    for (let event = 0; event < 50; event += 1) coalescer.ask();
    expect(reloads()).toBe(1);
    expect(coalescer.answered(1)).toBe(true);
    expect(reloads()).toBe(2);
    coalescer.sent(2);
    expect(coalescer.answered(2)).toBe(false);
    expect(reloads()).toBe(2);
  });

  it('are answered by a request sent after them for new variables, and an older answer starts nothing', () => {
    const { coalescer, reloads } = countedReloads();
    coalescer.sent(1);
    coalescer.ask();
    coalescer.sent(2);
    expect(coalescer.answered(1)).toBe(false);
    expect(coalescer.answered(2)).toBe(false);
    expect(reloads()).toBe(0);
  });
});
