import { describe, expect, it } from 'vitest';
import { AgentMessageRate, type RateDecision } from './agent-message-rate.js';

const decideMany = (rate: AgentMessageRate, count: number, now: number): RateDecision[] =>
  Array.from({ length: count }, () => rate.decide(now));

const kinds = (decisions: RateDecision[]): Record<string, number> => {
  const counted: Record<string, number> = {};
  for (const decision of decisions) {
    const key = decision.kind === 'drop' ? `drop${decision.tellRetryAfterSeconds === undefined ? '' : ' told'}` : decision.kind;
    counted[key] = (counted[key] ?? 0) + 1;
  }
  return counted;
};

describe('AgentMessageRate', () => {
  it('takes one second of messages at once, then drops the rest, telling the agent once', () => {
    const rate = new AgentMessageRate(100, 10, 0);
    expect(kinds(decideMany(rate, 150, 0))).toEqual({ take: 100, 'drop told': 1, drop: 49 });
  });

  it('refills at the rate: 10 ms later a 100 per second connection may send one more', () => {
    const rate = new AgentMessageRate(100, 10, 0);
    decideMany(rate, 100, 0);
    expect(rate.decide(5)).toEqual({ kind: 'drop', tellRetryAfterSeconds: 1 });
    expect(rate.decide(10)).toEqual({ kind: 'take' });
    expect(rate.decide(10)).toEqual({ kind: 'drop', tellRetryAfterSeconds: undefined });
  });

  it('never holds more than one second of messages, however long the agent was quiet', () => {
    const rate = new AgentMessageRate(100, 10, 0);
    expect(kinds(decideMany(rate, 101, 60_000))).toEqual({ take: 100, 'drop told': 1 });
  });

  it('tells the agent again only once the second it was told to wait is over', () => {
    const rate = new AgentMessageRate(100, 10, 0);
    decideMany(rate, 101, 0);
    expect(kinds(decideMany(rate, 60, 500))).toEqual({ take: 50, drop: 10 });
    expect(kinds(decideMany(rate, 200, 1_000))).toEqual({ take: 50, 'drop told': 1, drop: 149 });
  });

  it('disconnects an agent told more often within a minute than its strikes allow, and forgets older strikes', () => {
    const rate = new AgentMessageRate(100, 2, 0);
    const overTheRateAt = (now: number): RateDecision[] => decideMany(rate, 201, now);
    expect(kinds(overTheRateAt(0))).toMatchObject({ 'drop told': 1 });
    expect(kinds(overTheRateAt(1_000))).toMatchObject({ 'drop told': 1 });
    expect(kinds(overTheRateAt(2_000))).toEqual({ take: 100, disconnect: 101 });
    expect(kinds(overTheRateAt(63_000))).toEqual({ take: 100, 'drop told': 1, drop: 100 });
  });
});
