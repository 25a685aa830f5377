import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '@flotilla/service-runtime';
import { databaseConnection } from './database-url.js';

export type DatabaseClient = PrismaClient;
export type Transaction = Prisma.TransactionClient;

/**
 * Opens the Prisma client over the pure-JavaScript Postgres driver (no native engine needed). With
 * `statementTimeoutMs`, Postgres cancels any statement of its sessions that runs longer; behind PgBouncer
 * (`?pgbouncer=true`) the sessions are the pooler's, which refuses the setting, so the timeout is the role's
 * (docs/configuration.md). A connection that Postgres closes (a restart, `pg_terminate_backend`) is dropped from the
 * pool and reported to `logger`; the next query opens a new one.
 */
export function createDatabaseClient(
  url: string,
  poolSize = 10,
  options: { statementTimeoutMs?: number; logger?: Logger } = {},
): DatabaseClient {
  const report = (error: Error): void => options.logger?.warn({ err: error }, 'database connection lost');
  const { connectionString, behindPgBouncer } = databaseConnection(url);
  const timeout = options.statementTimeoutMs && !behindPgBouncer ? { statement_timeout: options.statementTimeoutMs } : {};
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: poolSize, ...timeout }, { onPoolError: report, onConnectionError: report }),
  });
}

/** Callbacks registered inside a transaction that run only once it has committed. */
export class AfterCommit {
  private readonly callbacks: (() => void | Promise<void>)[] = [];

  add(callback: () => void | Promise<void>): void {
    this.callbacks.push(callback);
  }

  /** Starts every callback in the order registered, in one tick, so that their Redis commands leave together. */
  async run(): Promise<void> {
    await Promise.all(this.callbacks.map(async (callback) => callback()));
  }
}

/**
 * Runs `work` in one transaction; what it registers on `afterCommit` (publishing, enqueuing) runs only after
 * the commit, so subscribers and queues never see a change that was rolled back.
 */
export async function inTransaction<T>(
  database: DatabaseClient,
  work: (transaction: Transaction, afterCommit: AfterCommit) => Promise<T>,
): Promise<T> {
  const afterCommit = new AfterCommit();
  const result = await database.$transaction((transaction) => work(transaction, afterCommit), { timeout: 20_000, maxWait: 10_000 });
  await afterCommit.run();
  return result;
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
