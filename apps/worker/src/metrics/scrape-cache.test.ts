import { describe, expect, it } from 'vitest';
import { ScrapeCache } from './scrape-cache.js';

describe('ScrapeCache', () => {
  it('loads once per period whatever the number of readers, then again once the period is over', async () => {
    let now = 0;
    let loads = 0;
    const cache = new ScrapeCache(
      () => Promise.resolve(++loads),
      { maxAgeMs: 15_000, timeoutMs: 1000 },
      () => now,
    );
    expect(await Promise.all([cache.read(), cache.read(), cache.read()])).toEqual([1, 1, 1]);
    now = 14_999;
    expect(await cache.read()).toBe(1);
    now = 15_000;
    expect(await cache.read()).toBe(2);
  });

  it('fails a read whose load is slower than the timeout, and keeps the late value for the next', async () => {
    let finish: (value: string) => void = () => undefined;
    const cache = new ScrapeCache(
      () =>
        new Promise<string>((resolve) => {
          finish = resolve;
        }),
      { maxAgeMs: 15_000, timeoutMs: 20 },
    );
    await expect(cache.read()).rejects.toThrow('not read within 20 ms');
    finish('late');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.read()).toBe('late');
  });

  it('loads again after a failed load', async () => {
    let attempt = 0;
    const cache = new ScrapeCache(() => (++attempt === 1 ? Promise.reject(new Error('database away')) : Promise.resolve('back')), {
      maxAgeMs: 15_000,
      timeoutMs: 1000,
    });
    await expect(cache.read()).rejects.toThrow('database away');
    expect(await cache.read()).toBe('back');
  });
});
