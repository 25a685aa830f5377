import { describe, expect, it } from 'vitest';
import { BatchItemFailure, MicroBatcher } from './micro-batcher.js';

/** A flush that records each batch and ends only when the test lets it. */
function controlledFlush() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = async (requests: number[]): Promise<(number | BatchItemFailure)[]> => {
    batches.push(requests);
    await new Promise<void>((resolve) => releases.push(resolve));
    return requests.map((request) => (request < 0 ? new BatchItemFailure(new Error(`refused ${request}`)) : request * 10));
  };
  return { batches, flush, release: (index: number) => releases[index]?.() };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('hands the requests of one turn of the event loop to one flush and answers each in order', async () => {
    const { batches, flush, release } = controlledFlush();
    const batcher = new MicroBatcher(flush);
    const answers = Promise.all([1, 2, 3].map((request) => batcher.submit(request)));
    await nextTurn();
    release(0);
    expect(await answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when a batch is full', async () => {
    const { batches, flush, release } = controlledFlush();
    const batcher = new MicroBatcher(flush, { maxBatch: 2 });
    const answers = Promise.all([1, 2, 3].map((request) => batcher.submit(request)));
    expect(batches).toEqual([[1, 2]]);
    await nextTurn();
    release(0);
    release(1);
    expect(await answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('with one flush in flight, gathers what comes meanwhile into the next flush', async () => {
    const { batches, flush, release } = controlledFlush();
    const batcher = new MicroBatcher(flush, { maxInFlight: 1 });
    const first = batcher.submit(1);
    await nextTurn();
    const later = [batcher.submit(2), batcher.submit(3)];
    await nextTurn();
    const last = batcher.submit(4);
    await nextTurn();
    expect(batches).toEqual([[1]]);

    release(0);
    expect(await first).toBe(10);
    await nextTurn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release(1);
    expect(await Promise.all([...later, last])).toEqual([20, 30, 40]);
  });

  it('without a limit, flushes each turn while earlier flushes still run', async () => {
    const { batches, flush, release } = controlledFlush();
    const batcher = new MicroBatcher(flush);
    const first = batcher.submit(1);
    await nextTurn();
    const second = batcher.submit(2);
    await nextTurn();
    expect(batches).toEqual([[1], [2]]);
    release(0);
    release(1);
    expect(await Promise.all([first, second])).toEqual([10, 20]);
  });

  it('rejects only the request that failed alone, and every request when the flush throws', async () => {
    const { flush, release } = controlledFlush();
    const batcher = new MicroBatcher(flush);
    const answers = [1, -2, 3].map((request) => batcher.submit(request).catch((error: Error) => error.message));
    await nextTurn();
    release(0);
    expect(await Promise.all(answers)).toEqual([10, 'refused -2', 30]);

    const broken = new MicroBatcher<number, number>(() => Promise.reject(new Error('connection lost')), { maxInFlight: 1 });
    const failed = [1, 2].map((request) => broken.submit(request).catch((error: Error) => error.message));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    expect(await broken.submit(3).catch((error: Error) => error.message)).toBe('connection lost');

    const throwing = new MicroBatcher<number, number>(
      (): Promise<number[]> => {
        throw new Error('not connected');
      },
      { maxInFlight: 1 },
    );
    expect(await throwing.submit(1).catch((error: Error) => error.message)).toBe('not connected');
    expect(await throwing.submit(2).catch((error: Error) => error.message)).toBe('not connected');
  });
});
