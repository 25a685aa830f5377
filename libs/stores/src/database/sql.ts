import { randomFillSync } from 'node:crypto';
import pg from 'pg';
import { AfterCommit, type Transaction } from './database.js';
import { databaseConnection } from './database-url.js';
import type { Logger } from '@flotilla/service-runtime';

// Hand-written SQL for the worker's hot paths (loading and writing rollouts, recording measurements), where the
// Prisma client's per-query planning costs more than the query itself. Everything else stays on Prisma.

/**
 * A statement sent as a named prepared statement: Postgres plans it once per connection. Behind PgBouncer in
 * transaction pooling mode it is sent unnamed, since the next transaction may run on a session that never saw it.
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

export type SqlText = string | PreparedStatement;

export interface SqlSession {
  query<Row extends object>(statement: SqlText, values?: readonly unknown[]): Promise<Row[]>;
}

/**
 * The session of `SqlPool.transaction`, whose statements are pipelined: each goes out at once, behind those not yet
 * answered, and the server runs them in order. Only waiting for an answer costs a round trip.
 */
export interface PipelinedSession extends SqlSession {
  /**
   * Sends a statement whose rows nobody reads and does not wait for it: its answer is awaited with the commit, which
   * goes out right behind it when nothing else comes between. If it fails, the transaction fails with its error.
   */
  send(statement: SqlText, values?: readonly unknown[]): void;
}

/**
 * A pool of Postgres connections that outlives them: a connection Postgres closes (a restart, `pg_terminate_backend`)
 * is reported to `logger` and dropped, and the next query opens a new one. `url` may mark a PgBouncer in
 * transaction pooling mode (`?pgbouncer=true`). With `statementTimeoutMs`, Postgres cancels any statement of its
 * sessions that runs longer, as `createDatabaseClient` has it (not behind PgBouncer, which refuses the setting).
 */
export class SqlPool implements SqlSession {
  private readonly pool: pg.Pool;
  private readonly reportLostConnection: (error: Error) => void;
  private readonly reportUnsentEffects: (error: unknown) => void;
  private readonly namesStatements: boolean;

  constructor(url: string, maxConnections: number, logger?: Logger, statementTimeoutMs?: number) {
    const { connectionString, behindPgBouncer } = databaseConnection(url);
    this.namesStatements = !behindPgBouncer;
    const timeout = statementTimeoutMs && !behindPgBouncer ? { statement_timeout: statementTimeoutMs } : {};
    this.pool = new pg.Pool({ connectionString, max: maxConnections, pipeline: true, types: { getTypeParser: typeParser }, ...timeout });
    this.reportLostConnection = (error) => logger?.warn({ err: error }, 'database connection lost');
    this.reportUnsentEffects = (error) =>
      logger?.warn({ err: error }, 'a committed transaction could not send all of its effects; the sweeps send them again');
    // Without a listener, an idle connection closed by the server would throw from the pool and end the process.
    this.pool.on('error', this.reportLostConnection);
  }

  query<Row extends object>(statement: SqlText, values: readonly unknown[] = []): Promise<Row[]> {
    return rowsOf(this.pool, this.sent(statement), values);
  }

  /**
   * Runs `work` in one transaction on one connection; what it registers on `afterCommit` runs only after the
   * commit. Any error rolls everything back, and the transaction fails with the first statement's error, not with
   * the "transaction is aborted" of those behind it. The statements are pipelined (`PipelinedSession`): the `BEGIN`
   * goes out with the first statement, and the `COMMIT` with the statements sent last, so that a transaction whose
   * work waits for one answer takes two round trips, not four.
   *
   * Once committed, the transaction answers its result even if an effect registered on `afterCommit` fails (Redis
   * away): the change is kept, every such effect (a queued trigger, a published event) is one the sweeps derive again
   * from Postgres, and a caller told of a failure would take a kept change for a lost one. The failure is logged.
   */
  async transaction<T>(work: (session: PipelinedSession, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // Between two statements the connection has no query to fail, so its loss arrives as an 'error' event.
    client.on('error', this.reportLostConnection);
    const afterCommit = new AfterCommit();
    /** Statements whose answers nobody has waited for yet; each is checked before the transaction counts as committed. */
    const unanswered: Promise<unknown>[] = [];
    const sendUnanswered = (statement: SqlText, values: readonly unknown[]): void => {
      const answer = rowsOf(client, this.sent(statement), values);
      // Handled here and awaited before the commit counts, so that a failure surfaces once, as the transaction's.
      answer.catch(() => undefined);
      unanswered.push(answer);
    };
    let result: T;
    try {
      sendUnanswered('BEGIN', []);
      const session: PipelinedSession = {
        query: (statement, values = []) => rowsOf(client, this.sent(statement), values),
        send: (statement, values = []) => sendUnanswered(statement, values),
      };
      result = await work(session, afterCommit);
      const committed = client.query('COMMIT');
      committed.catch(() => undefined);
      await Promise.all(unanswered);
      // A transaction with a failed statement answers its COMMIT with ROLLBACK; the failure was thrown above.
      if ((await committed).command !== 'COMMIT') throw new Error('the transaction was rolled back');
    } catch (error) {
      const answers = await Promise.allSettled(unanswered);
      await client.query('ROLLBACK').catch(() => undefined);
      throw firstFailure(error, answers);
    } finally {
      client.off('error', this.reportLostConnection);
      client.release();
    }
    await afterCommit.run().catch(this.reportUnsentEffects);
    return result;
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** The statement as it goes to the server: by its text alone where names would not survive the transaction. */
  private sent(statement: SqlText): SqlText {
    return this.namesStatements || typeof statement === 'string' ? statement : statement.text;
  }
}

/** The session of a Prisma interactive transaction, for SQL shared by Prisma callers and `SqlPool` callers. */
export function prismaSession(transaction: Transaction): SqlSession {
  return {
    query: <Row extends object>(statement: SqlText, values: readonly unknown[] = []) =>
      transaction.$queryRawUnsafe<Row[]>(typeof statement === 'string' ? statement : statement.text, ...values.map(toParameter)),
  };
}

const TIMESTAMP_WITHOUT_TIME_ZONE = pg.types.builtins.TIMESTAMP;

/** Prisma keeps `DateTime` columns as UTC in `timestamp(3)`; read them back as UTC whatever the process's zone. */
const typeParser: typeof pg.types.getTypeParser = (oid, format) =>
  oid === TIMESTAMP_WITHOUT_TIME_ZONE && format !== 'binary'
    ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
    : builtInParser(oid, format);

/** pg's own parser of a type, which pg-types declares as returning `any`. */
const builtInParser = (oid: number, format: 'text' | 'binary' | undefined): unknown => pg.types.getTypeParser(oid, format);

/** Dates, alone or in arrays, travel as UTC ISO strings, which `timestamp(3)` columns store as they are. */
const toParameter = (value: unknown): unknown =>
  value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.map(toParameter) : value;

const IN_FAILED_TRANSACTION = '25P02';

/**
 * What made a transaction fail: Postgres refuses every statement behind a failed one with "current transaction is
 * aborted", so when that is what `work` met, the cause is the first statement sent that failed (answers come in the
 * order sent).
 */
function firstFailure(error: unknown, answers: readonly PromiseSettledResult<unknown>[]): unknown {
  if (!(error instanceof pg.DatabaseError) || error.code !== IN_FAILED_TRANSACTION) return error;
  const cause = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
  return cause === undefined ? error : cause.reason;
}

async function rowsOf<Row extends object>(
  queryable: pg.Pool | pg.PoolClient,
  statement: SqlText,
  values: readonly unknown[],
): Promise<Row[]> {
  const parameters = values.map(toParameter);
  const config: pg.QueryConfig =
    typeof statement === 'string'
      ? { text: statement, values: parameters }
      : { name: statement.name, text: statement.text, values: parameters };
  return (await queryable.query<Row>(config)).rows;
}

/** Random bytes drawn a page at a time: one call into the system's generator costs far more than the 10 bytes an id takes. */
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;
const uuidBytes = Buffer.alloc(16);

/** A time-ordered UUID (RFC 9562 version 7), as Prisma's `uuid(7)` defaults make them. */
export function uuidV7(now = Date.now()): string {
  if (randomPoolOffset + 10 > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  uuidBytes.writeUIntBE(now, 0, 6);
  randomPool.copy(uuidBytes, 6, randomPoolOffset, randomPoolOffset + 10);
  randomPoolOffset += 10;
  uuidBytes[6] = 0x70 | ((uuidBytes[6] as number) & 0x0f);
  uuidBytes[8] = 0x80 | ((uuidBytes[8] as number) & 0x3f);
  const hex = uuidBytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
