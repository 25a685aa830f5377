import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './config/redis-target.js';
import type { Logger } from './logger.js';

export interface RedisConnectionOptions {
  /** Never give up on a command, as BullMQ workers require. */
  forWorkers?: boolean;
  /**
   * Send the commands issued in one tick in one write: for busy producers (publishing, enqueuing) and BullMQ workers,
   * which take their jobs with blocking reads on a copy of the connection that runs nothing else. Never for a
   * connection whose own blocking reads would hold up the commands pipelined behind them.
   */
  autoPipelining?: boolean;
  /** Where a lost connection is reported while the client reconnects. */
  logger?: Logger;
}

/** Waits between reconnection attempts: 100 ms more per attempt, at most 2 s, for as long as it takes. */
const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 2000);

/** A primary demoted by a failover answers writes with READONLY until the connection finds the new one. */
const isDemotedPrimary = (error: Error): boolean => error.message.startsWith('READONLY');

/**
 * A Redis connection that reconnects by itself whenever the connection is lost (a restart, a failover, a network
 * cut), resubscribing to its channels; the error of each failed attempt is logged instead of thrown. Through
 * Sentinel, it asks the sentinels for the primary on every reconnection and resends a write refused by a demoted
 * primary to the new one. It learns of a failover from its connection: the sentinels disconnect the clients of both
 * servers they reconfigure. ioredis' own failover detector is left off: an announcement arriving while the
 * connection is asking a sentinel for the primary makes it give up for good ("Connection is closed.").
 */
export function createRedisConnection(target: RedisTarget, options: RedisConnectionOptions = {}): Redis {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    enableAutoPipelining: options.autoPipelining ?? false,
    enableReadyCheck: true,
    lazyConnect: false,
    retryStrategy: reconnectDelayMs,
  };
  const connection =
    'url' in target
      ? new Redis(target.url, common)
      : new Redis({
          ...common,
          ...target.sentinel,
          sentinelRetryStrategy: reconnectDelayMs,
          reconnectOnError: (error) => (isDemotedPrimary(error) ? 2 : false),
        });
  const { logger } = options;
  if (logger) {
    let reported = false;
    // One warning per outage, not one per reconnection attempt.
    connection.on('error', (error: Error) => {
      if (!reported) logger.warn({ err: error }, 'redis connection lost; reconnecting');
      reported = true;
    });
    connection.on('ready', () => {
      if (reported) logger.info('redis connection back');
      reported = false;
    });
  }
  return connection;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Through Sentinel, an outage of the primary reads so until the sentinels name a primary that answers. */
const NO_PRIMARY_REACHED = 'All sentinels are unreachable';

/** Whether an error is the loss of the Redis connection, which the connection itself reports once per outage. */
export function isConnectionLoss(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) ||
    error.message === 'Connection is closed.' ||
    error.message.startsWith(NO_PRIMARY_REACHED)
  );
}

/**
 * For BullMQ queues over a connection made here: their errors are the connection's, which it reports itself, and
 * without a listener BullMQ prints every reconnection attempt to stderr.
 */
export const connectionErrorReported = (): void => undefined;
