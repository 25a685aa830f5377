import pg from 'pg';
import { machineBusyCpuSeconds } from './process-cpu.js';

export interface UpdateRateOptions {
  clients: number;
  rows: number;
  seconds: number;
}

export interface UpdateRate {
  transactionsPerSecond: number;
  transactions: number;
  /** Milliseconds the whole machine was busy per transaction (client, Postgres and everything else running). */
  machineCpuMsPerTransaction: number;
}

/**
 * The reference figure of a Postgres: `clients` connections each updating one random row of a `rows`-row table
 * in autocommit, as fast as they can for `seconds` (pgbench's simple-update, one statement per transaction).
 */
export async function measureSimpleUpdateRate(databaseUrl: string, options: UpdateRateOptions): Promise<UpdateRate> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.clients });
  try {
    await pool.query('CREATE TABLE bench_counter (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)');
    await pool.query('INSERT INTO bench_counter (id) SELECT generate_series(1, $1::integer)', [options.rows]);
    await pool.query('ANALYZE bench_counter');
    const deadline = performance.now() + options.seconds * 1000;
    const started = performance.now();
    const machineBefore = machineBusyCpuSeconds();
    const runClient = async (): Promise<number> => {
      const client = await pool.connect();
      let transactions = 0;
      try {
        while (performance.now() < deadline) {
          const id = 1 + Math.floor(Math.random() * options.rows);
          await client.query({ name: 'bench-bump', text: 'UPDATE bench_counter SET n = n + 1 WHERE id = $1', values: [id] });
          transactions++;
        }
      } finally {
        client.release();
      }
      return transactions;
    };
    const counts = await Promise.all(Array.from({ length: options.clients }, runClient));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const machineSeconds = machineBusyCpuSeconds() - machineBefore;
    const transactions = counts.reduce((sum, count) => sum + count, 0);
    return {
      transactionsPerSecond: transactions / elapsedSeconds,
      transactions,
      machineCpuMsPerTransaction: (machineSeconds * 1000) / transactions,
    };
  } finally {
    await pool.query('DROP TABLE IF EXISTS bench_counter').catch(() => undefined);
    await pool.end();
  }
}
