import { describe, expect, it } from 'vitest';
import {
  auditEventHashInput,
  checkpointSignatureInput,
  verifyChainSegment,
  type ChainedAuditEvent,
  type ChainedAuditFields,
} from './audit-chain.js';

// The canonical text stands in for its digest: what the chain checks is which text each hash covers.
const hashOf = (event: ChainedAuditFields): string => auditEventHashInput(event);

function chain(length: number): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  for (let sequence = 1; sequence <= length; sequence += 1) {
    const fields: ChainedAuditFields = {
      organizationId: 'org',
      sequence,
      actor: 'token:ci',
      action: 'rollout.promote',
      targetType: 'Rollout',
      targetName: 'staging/shop/checkout',
      targetId: null,
      before: null,
      after: { step: sequence },
      reason: null,
      requestId: null,
      occurredAt: new Date(Date.UTC(2026, 11, 4, 9, 0, sequence)),
      previousHash: events.at(-1)?.hash ?? '',
    };
    events.push({ ...fields, hash: hashOf(fields) });
  }
  return events;
}

describe('the canonical forms of the audit chain', () => {
  it('hash an event over its fields in key order, whatever the order of its JSON values; this text is part of every stored hash', () => {
    const [first] = chain(1) as [ChainedAuditEvent];
    expect(auditEventHashInput({ ...first, after: { b: 1, a: [{ d: 2, c: 3 }] } })).toBe(
      '{"action":"rollout.promote","actor":"token:ci","after":{"a":[{"c":3,"d":2}],"b":1},"before":null,"occurredAt":"2026-12-04T09:00:01.000Z",' +
        '"organizationId":"org","previousHash":"","reason":null,"requestId":null,"sequence":1,"targetId":null,"targetName":"staging/shop/checkout","targetType":"Rollout"}',
    );
  });

  it('sign a checkpoint over its statement with its format; this text is part of every stored signature', () => {
    const statement = { organizationId: 'org', sequence: 7, headHash: 'ab', signedAt: new Date(0), keyId: '3f' };
    expect(checkpointSignatureInput(statement)).toBe(
      '{"format":"flotilla.audit-checkpoint.v1","headHash":"ab","keyId":"3f","organizationId":"org","sequence":7,"signedAt":"1970-01-01T00:00:00.000Z"}',
    );
  });
});

describe('verifyChainSegment', () => {
  const intact = chain(4);
  const at = (index: number): ChainedAuditEvent => intact[index] as ChainedAuditEvent;
  it.each([
    ['an intact chain', intact, { ok: true }],
    ['a missing event', [at(0), at(2), at(3)], { ok: false, sequence: 2, reason: 'event 2 is missing' }],
    [
      'an altered event',
      [at(0), { ...at(1), reason: 'edited' }, at(2), at(3)],
      { ok: false, sequence: 2, reason: 'its content does not match its hash' },
    ],
    [
      'an event linked elsewhere',
      [at(0), at(1), { ...at(2), previousHash: 'other' }, at(3)],
      { ok: false, sequence: 3, reason: 'it does not link to the event before it' },
    ],
  ])('from the first event: %s', (_title, events, verdict) => {
    expect(verifyChainSegment(events, { previousHash: '', nextSequence: 1 }, hashOf)).toEqual(verdict);
  });

  it('starts after a trusted position, such as a checkpoint', () => {
    expect(verifyChainSegment(intact.slice(2), { previousHash: at(1).hash, nextSequence: 3 }, hashOf)).toEqual({ ok: true });
    expect(verifyChainSegment(intact.slice(2), { previousHash: 'a rewritten head', nextSequence: 3 }, hashOf)).toMatchObject({
      ok: false,
      sequence: 3,
    });
  });
});
