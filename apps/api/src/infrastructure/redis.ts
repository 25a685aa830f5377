import { Redis } from 'ioredis';

/** A Redis connection; `forWorkers` connections never give up on a command, as BullMQ workers require. */
export function createRedisConnection(url: string, options: { forWorkers?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
  });
}
