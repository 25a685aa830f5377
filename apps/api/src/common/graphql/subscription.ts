import type { BroadcastTopic, EventBus, EventTopics } from '@flotilla/events';

const MAX_BUFFERED = 1000;

/**
 * An async iterator over one topic of the event bus, holding only the caller's organization's events; a message
 * gives as many results as `toResults` makes of it (none for a message the subscriber filters out).
 * A subscriber that falls more than MAX_BUFFERED events behind loses the oldest ones.
 */
export function subscriptionFor<T extends BroadcastTopic, R>(
  eventBus: EventBus,
  topic: T,
  organizationId: string,
  toResults: (payload: EventTopics[T]) => readonly R[],
): AsyncIterableIterator<R> {
  const buffered: R[] = [];
  let waiting: ((result: IteratorResult<R>) => void) | undefined;
  let done = false;
  const stop = eventBus.listen(topic, (message) => {
    if (done || message.organizationId !== organizationId) return;
    for (const result of toResults(message.payload)) {
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: result, done: false });
        continue;
      }
      buffered.push(result);
      if (buffered.length > MAX_BUFFERED) buffered.shift();
    }
  });
  const finish = (): Promise<IteratorResult<R>> => {
    done = true;
    stop();
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next: () => {
      const value = buffered.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: finish,
    throw: finish,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
