import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** Never give up on a command, as BullMQ workers require. */
  forWorkers?: boolean;
  /**
   * Send the commands issued in one tick in one write: for busy producers (publishing, enqueuing) and BullMQ workers,
   * which take their jobs with blocking reads on a copy of the connection that runs nothing else. Never for a
   * connection whose own blocking reads would hold up the commands pipelined behind them.
   */
  autoPipelining?: boolean;
}

export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    enableAutoPipelining: options.autoPipelining ?? false,
    enableReadyCheck: true,
    lazyConnect: false,
  });
}
