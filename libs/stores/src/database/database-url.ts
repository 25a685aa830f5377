/** Where the processes reach Postgres, and whether a PgBouncer in transaction pooling mode stands in between. */
export interface DatabaseConnection {
  /** The URL without the `pgbouncer` parameter, which is ours, not the driver's. */
  connectionString: string;
  /**
   * Set by `?pgbouncer=true` (the parameter Prisma documents for the same case). Each transaction may then run on
   * a different server session, so nothing may outlive one: no named prepared statements and no session settings.
   */
  behindPgBouncer: boolean;
}

export function databaseConnection(url: string): DatabaseConnection {
  const parsed = new URL(url);
  const marker = parsed.searchParams.get('pgbouncer');
  if (marker === null) return { connectionString: url, behindPgBouncer: false };
  parsed.searchParams.delete('pgbouncer');
  return { connectionString: parsed.toString(), behindPgBouncer: marker === 'true' };
}
