import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MeasurementScheduler, type MeasurementAnswer } from './measurement-scheduler.js';

interface Started {
  requestId: string;
  signal: AbortSignal;
  finish(outcome: MeasurementOutcome): void;
}

const measured = (value: number): MeasurementOutcome => ({ ok: true, value, rawValue: String(value) });

function request(requestId: string, timeoutSeconds = 30): MeasurementRequest {
  return {
    requestId,
    run: { name: 'checkout-1', namespace: 'shop', uid: 'u1' },
    metric: { name: 'rate', provider: { web: { url: 'http://backend/rate' } } },
    measurementIndex: 1,
    timeoutSeconds,
  };
}

/** A scheduler whose measurements finish when the test says, on a clock the test moves. */
function scheduler(concurrency: number, options: { connected?: boolean } = {}) {
  const started: Started[] = [];
  const sent: MeasurementAnswer[] = [];
  const clock = { now: 1_000_000, connected: options.connected ?? true };
  const instance = new MeasurementScheduler({
    concurrency,
    take: (taken, signal) => new Promise((resolve) => started.push({ requestId: taken.requestId, signal, finish: resolve })),
    send: (answer) => clock.connected && sent.push(answer) > 0,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
  });
  const finish = async (requestId: string, outcome: MeasurementOutcome = measured(1)): Promise<void> => {
    const running = started.find((candidate) => candidate.requestId === requestId);
    if (running === undefined) throw new Error(`${requestId} was not started`);
    running.finish(outcome);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { instance, started, sent, clock, finish, startedIds: () => started.map((entry) => entry.requestId) };
}

describe('MeasurementScheduler', () => {
  it('takes at most `concurrency` measurements at once and starts the others in arrival order', async () => {
    const { instance, sent, finish, startedIds } = scheduler(2);
    ['a', 'b', 'c', 'd'].forEach((id) => instance.submit(request(id)));
    expect(startedIds()).toEqual(['a', 'b']);
    expect(instance.stats()).toEqual({ waiting: 2, running: 2, unsent: 0 });

    await finish('b', measured(2));
    expect(startedIds()).toEqual(['a', 'b', 'c']);
    await finish('a');
    await finish('c');
    expect(startedIds()).toEqual(['a', 'b', 'c', 'd']);
    expect(sent).toEqual([
      { type: 'measurement', requestId: 'b', outcome: measured(2) },
      { type: 'measurement', requestId: 'a', outcome: measured(1) },
      { type: 'measurement', requestId: 'c', outcome: measured(1) },
    ]);
  });

  it('does not accept a requestId again while it waits or runs, but measures it again once answered', async () => {
    const { instance, sent, finish, startedIds } = scheduler(1);
    instance.submit(request('a'));
    instance.submit(request('b'));
    instance.submit(request('a'));
    instance.submit(request('b'));
    await finish('a');
    await finish('b');
    expect(startedIds()).toEqual(['a', 'b']);
    instance.submit(request('a'));
    expect(startedIds()).toEqual(['a', 'b', 'a']);
    expect(sent.map((answer) => answer.requestId)).toEqual(['a', 'b']);
  });

  it('cancels: a waiting measurement is never started, a running one is aborted, and neither is answered', async () => {
    const { instance, started, sent, finish, startedIds } = scheduler(1);
    ['a', 'b', 'c'].forEach((id) => instance.submit(request(id)));
    instance.cancel(['a', 'b', 'unknown']);
    expect(started[0]?.signal.aborted).toBe(true);
    await finish('a', { ok: false, error: 'aborted' });
    expect(startedIds()).toEqual(['a', 'c']);
    await finish('c');
    expect(sent.map((answer) => answer.requestId)).toEqual(['c']);
    expect(instance.stats()).toEqual({ waiting: 0, running: 0, unsent: 0 });
    instance.submit(request('a'));
    expect(startedIds()).toEqual(['a', 'c', 'a']);
  });

  it('aborts a measurement at its timeout and answers an error that keeps the metadata it produced', async () => {
    const { instance, started, sent } = scheduler(1);
    instance.submit(request('job', 0.05));
    const [job] = started;
    await new Promise<void>((resolve) => job?.signal.addEventListener('abort', () => resolve()));
    job?.finish({ ok: true, value: undefined, rawValue: '', phase: 'Successful', metadata: { 'job-name': 'u1.smoke.1' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([
      {
        type: 'measurement',
        requestId: 'job',
        outcome: { ok: false, error: 'measurement did not finish within 0.05 s', metadata: { 'job-name': 'u1.smoke.1' } },
      },
    ]);
  });

  it('does not start a measurement that waited past its timeout', async () => {
    const { instance, clock, finish, startedIds } = scheduler(1);
    instance.submit(request('long', 60));
    instance.submit(request('short', 5));
    instance.submit(request('later', 60));
    clock.now += 10_000;
    await finish('long');
    expect(startedIds()).toEqual(['long', 'later']);
  });

  it('keeps answers while disconnected and sends those still awaited once connected again', async () => {
    const { instance, clock, sent, finish } = scheduler(3, { connected: false });
    instance.submit(request('awaited', 60));
    instance.submit(request('expired', 5));
    instance.submit(request('also-awaited', 60));
    await finish('awaited');
    await finish('expired');
    await finish('also-awaited', measured(3));
    expect(instance.stats().unsent).toBe(3);

    clock.now += 10_000;
    clock.connected = true;
    instance.connected();
    expect(sent.map((answer) => answer.requestId)).toEqual(['awaited', 'also-awaited']);
    expect(instance.stats()).toEqual({ waiting: 0, running: 0, unsent: 0 });
  });

  it('aborts running measurements on stop, forgets waiting ones and sends nothing more', async () => {
    const { instance, started, sent, startedIds } = scheduler(1);
    instance.submit(request('running'));
    instance.submit(request('waiting'));
    const stopping = instance.stop();
    expect(started[0]?.signal.aborted).toBe(true);
    started[0]?.finish(measured(1));
    await stopping;
    expect(startedIds()).toEqual(['running']);
    expect(sent).toEqual([]);
  });
});
