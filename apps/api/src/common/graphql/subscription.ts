import type { BroadcastTopic, EventBus, EventTopics } from '@flotilla/events';

const MAX_BUFFERED = 1000;

/**
 * An async iterator over one topic of the event bus, holding only the caller's organization's events; a message
 * gives as many results as `toResults` makes of it (none for a message the subscriber filters out), in the order
 * the messages came, also when `toResults` reads something first. A message whose results cannot be made (a read
 * that fails) gives none: the subscriber gets the next change. A subscriber that falls more than MAX_BUFFERED
 * events behind loses the oldest ones.
 */
export function subscriptionFor<T extends BroadcastTopic, R>(
  eventBus: EventBus,
  topic: T,
  organizationId: string,
  toResults: (payload: EventTopics[T]) => readonly R[] | Promise<readonly R[]>,
): AsyncIterableIterator<R> {
  const buffered: R[] = [];
  let waiting: ((result: IteratorResult<R>) => void) | undefined;
  let done = false;
  let previous: Promise<void> = Promise.resolve();
  const deliver = (results: readonly R[]): void => {
    for (const result of results) {
      if (done) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: result, done: false });
        continue;
      }
      buffered.push(result);
      if (buffered.length > MAX_BUFFERED) buffered.shift();
    }
  };
  const stop = eventBus.listen(topic, (message) => {
    if (done || message.organizationId !== organizationId) return;
    const results = (async () => toResults(message.payload))().catch((): readonly R[] => []);
    previous = previous.then(async () => deliver(await results));
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
