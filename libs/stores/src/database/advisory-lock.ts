import type { DatabaseClient, Transaction } from './database.js';

/**
 * Runs `work` in one transaction that holds Postgres' transaction-scoped advisory lock `key`, or returns `undefined`
 * at once when another session holds it: one of several processes does the work, the others skip it.
 */
export async function inTransactionHoldingLock<T>(
  database: DatabaseClient,
  key: number,
  work: (transaction: Transaction) => Promise<T>,
  options: { timeoutMs: number; maxWaitMs: number },
): Promise<T | undefined> {
  return database.$transaction(
    async (transaction) => {
      const [lock] = await transaction.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${key}) AS locked`;
      return lock?.locked ? work(transaction) : undefined;
    },
    { timeout: options.timeoutMs, maxWait: options.maxWaitMs },
  );
}
