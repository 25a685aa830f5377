import { describe, expect, it } from 'vitest';
import { deliveryJobId, isNotificationJobData } from './notification-queue.js';

const deliveryId = '0190a0c0-0000-7000-8000-000000000001';

describe('notification jobs', () => {
  it('name one attempt of one delivery', () => {
    expect(deliveryJobId(deliveryId, 0)).toBe(`${deliveryId}.a0`);
    expect(deliveryJobId(deliveryId, 3)).toBe(`${deliveryId}.a3`);
  });

  it.each([
    [{ deliveryId }, true],
    [{ deliveryId: '' }, false],
    [{ deliveryId: 1 }, false],
    [null, false],
  ])('%j is a payload: %s', (value, expected) => {
    expect(isNotificationJobData(value)).toBe(expected);
  });
});
