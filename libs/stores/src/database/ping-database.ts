import type { DatabaseClient } from './database.js';

/** Resolves once Postgres answers a trivial query on one of the client's connections; rejects when it cannot. */
export async function pingDatabase(database: DatabaseClient): Promise<void> {
  await database.$queryRaw`SELECT 1`;
}
