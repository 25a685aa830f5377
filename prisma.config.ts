import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

createRequire(import.meta.url)('./prisma/pg-patch.cjs');

/**
 * Migrations hold a session-level advisory lock and run DDL across statements, which a PgBouncer in transaction
 * pooling mode would scatter over server sessions: they take DATABASE_DIRECT_URL, straight to Postgres, when set.
 */
const databaseUrl = process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/flotilla';
if (new URL(databaseUrl).searchParams.get('pgbouncer') === 'true') {
  throw new Error('DATABASE_URL goes through PgBouncer (?pgbouncer=true): set DATABASE_DIRECT_URL to Postgres itself for migrations');
}

/** Discrete fields rather than a connection string, so that the shadow database override takes effect. */
function poolConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
    allowExitOnIdle: true,
  };
}

type ConnectedAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Runs a migration script as one multi-statement query (one implicit transaction) instead of splitting it
 * on every `;`, which would break function bodies.
 */
function runScriptsWhole(adapter: ConnectedAdapter, pool: pg.Pool): ConnectedAdapter {
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  return adapter;
}

/** Creates the shadow database itself and drops it only after its pool is closed. */
class MigratingPrismaPg extends PrismaPg {
  constructor(private readonly connection: pg.PoolConfig) {
    super(connection);
  }

  override async connect() {
    const pool = new pg.Pool(this.connection);
    return runScriptsWhole(await new PrismaPg(pool).connect(), pool);
  }

  override async connectToShadowDb() {
    const admin = new pg.Client(this.connection);
    await admin.connect();
    const database = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const pool = new pg.Pool({ ...this.connection, database });
    const adapter = runScriptsWhole(await new PrismaPg(pool).connect(), pool);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await pool.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  adapter() {
    return Promise.resolve(new MigratingPrismaPg(poolConfig(databaseUrl)));
  },
});
