import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { RedisTarget } from '../../libs/service-runtime/src/config/redis-target.js';
import { eventually, freePort, stopProcess } from './processes.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The newest installed PostgreSQL's programs, e.g. /usr/lib/postgresql/15/bin. */
function postgresBinaries(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((left, right) => Number(right) - Number(left));
  if (versions.length === 0) throw new Error('no PostgreSQL installation under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** initdb and the server refuse to run as root: as root, they run as the system's postgres user. */
function asServerUser(program: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, [...args]];
}

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a spare port, that the test may restart or
 * stop at will without touching the shared one. Its database is migrated with the real migrations.
 */
export class PrivatePostgres {
  private constructor(
    private readonly directory: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/flotilla`;
  }

  private get dataDirectory(): string {
    return join(this.directory, 'data');
  }

  /** The server writes here, not to pg_ctl's output, which would then never close. */
  private get logFile(): string {
    return join(this.directory, 'server.log');
  }

  static async start(): Promise<PrivatePostgres> {
    const directory = mkdtempSync(join(tmpdir(), 'flotilla-postgres-'));
    const server = new PrivatePostgres(directory, await freePort());
    try {
      if (process.getuid?.() === 0) {
        const { uid, gid } = userIds('postgres');
        chownSync(directory, uid, gid);
      }
      await server.control('initdb', ['-D', server.dataDirectory, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
      await server.control('pg_ctl', [
        'start',
        '-w',
        '-D',
        server.dataDirectory,
        '-l',
        server.logFile,
        '-o',
        `-p ${server.port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      ]);
      await server.control('createdb', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', 'flotilla']);
      execFileSync(process.execPath, [`${root}node_modules/prisma/build/index.js`, 'migrate', 'deploy'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: server.url },
        stdio: 'pipe',
      });
      return server;
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /** `pg_ctl restart -m fast`: every session is terminated (57P01), and the server is back once it returns. */
  async restart(): Promise<void> {
    await this.control('pg_ctl', ['restart', '-w', '-m', 'fast', '-D', this.dataDirectory, '-l', this.logFile]);
  }

  async stop(): Promise<void> {
    await this.control('pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', this.dataDirectory]).catch(() => undefined);
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async control(program: string, args: readonly string[]): Promise<void> {
    const [command, commandArgs] = asServerUser(join(postgresBinaries(), program), args);
    await run(command, commandArgs, { cwd: tmpdir() });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', name])), gid: Number(execFileSync('id', ['-g', name])) };
}

/** A redis-server of the test's own on a spare port, holding nothing on disk: killed and started again, it is empty. */
export class PrivateRedis {
  private server: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly extraArguments: readonly string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** @param extraArguments more `redis-server` options, e.g. `--replicaof` */
  static async start(extraArguments: readonly string[] = []): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), extraArguments);
    await redis.startServer();
    return redis;
  }

  /** `kill -9`: every client sees its connection drop with no goodbye. */
  async kill(): Promise<void> {
    if (this.server) await stopProcess(this.server, 'SIGKILL');
    this.server = undefined;
  }

  async startServer(): Promise<void> {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        ...this.extraArguments,
      ],
      { stdio: 'ignore' },
    );
    this.server = server;
    await eventually(
      async () => {
        if (server.exitCode !== null) throw new Error(`redis-server exited (${server.exitCode})`);
        const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      },
      10_000,
      'the private redis-server to answer',
    );
  }

  async stop(): Promise<void> {
    if (this.server) await stopProcess(this.server);
    this.server = undefined;
  }
}

/** Asks one Redis server (or sentinel) one command, giving up at once when it does not answer. */
async function askRedis(port: number, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** Field values of a flat `[name, value, name, value, …]` reply, as Sentinel gives them. */
function fieldOf(reply: unknown, name: string): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  const index = reply.indexOf(name);
  return index >= 0 && index % 2 === 0 ? String(reply[index + 1]) : undefined;
}

/**
 * A Redis primary, one replica and `sentinelCount` sentinels of the test's own, on spare ports: the primary is
 * declared down after 1 s without an answer, and a majority of the sentinels then promotes the replica.
 */
export class PrivateRedisSentinel {
  static readonly primaryName = 'flotilla';

  private constructor(
    private readonly directory: string,
    readonly primary: PrivateRedis,
    readonly replica: PrivateRedis,
    private readonly sentinels: { port: number; process: ChildProcess }[],
  ) {}

  /** How the processes name this Redis: through the sentinels only. */
  get target(): RedisTarget {
    return {
      sentinel: { sentinels: this.sentinels.map(({ port }) => ({ host: '127.0.0.1', port })), name: PrivateRedisSentinel.primaryName },
    };
  }

  static async start(sentinelCount = 3): Promise<PrivateRedisSentinel> {
    const directory = mkdtempSync(join(tmpdir(), 'flotilla-sentinel-'));
    // A full resynchronisation goes through an RDB file, written in the group's directory, not the working one.
    const primary = await PrivateRedis.start(['--dir', directory]);
    const replica = await PrivateRedis.start(['--dir', directory, '--replicaof', '127.0.0.1', String(primary.port)]);
    const group = new PrivateRedisSentinel(directory, primary, replica, []);
    try {
      for (let index = 0; index < sentinelCount; index += 1) await group.startSentinel(index, Math.floor(sentinelCount / 2) + 1);
      await eventually(
        async () => String(await askRedis(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
        15_000,
        'the replica to be in sync with the primary',
      );
      for (const { port } of group.sentinels) {
        await eventually(
          async () => {
            const reply = await askRedis(port, 'SENTINEL', 'MASTER', PrivateRedisSentinel.primaryName);
            return fieldOf(reply, 'num-slaves') === '1' && fieldOf(reply, 'num-other-sentinels') === String(sentinelCount - 1);
          },
          30_000,
          `sentinel ${port} to know the replica and the other sentinels`,
        );
      }
      return group;
    } catch (error) {
      await group.stop();
      throw error;
    }
  }

  /** The port of the server the sentinels name as primary now, as the sentinel at `index` in `target` tells it. */
  async primaryPort(index = 0): Promise<number> {
    const sentinel = this.sentinels[index];
    if (!sentinel) throw new Error(`no sentinel at ${index}`);
    const reply = await askRedis(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PrivateRedisSentinel.primaryName);
    return Number((reply as string[])[1]);
  }

  /**
   * SIGSTOP: the sentinel at `index` still accepts connections (the kernel does) but answers nothing until resumed,
   * so a client asking it for the primary waits.
   */
  freezeSentinel(index: number): void {
    this.sentinels[index]?.process.kill('SIGSTOP');
  }

  thawSentinel(index: number): void {
    this.sentinels[index]?.process.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    for (let index = 0; index < this.sentinels.length; index += 1) this.thawSentinel(index);
    await Promise.all([...this.sentinels.map(({ process }) => stopProcess(process)), this.primary.stop(), this.replica.stop()]);
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async startSentinel(index: number, quorum: number): Promise<void> {
    const port = await freePort();
    const configuration = join(this.directory, `sentinel-${index}.conf`);
    // Sentinel rewrites its configuration file as it learns the group, so each one has a file of its own.
    writeFileSync(
      configuration,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.directory}`,
        `sentinel monitor ${PrivateRedisSentinel.primaryName} 127.0.0.1 ${this.primary.port} ${quorum}`,
        `sentinel down-after-milliseconds ${PrivateRedisSentinel.primaryName} 1000`,
        `sentinel failover-timeout ${PrivateRedisSentinel.primaryName} 10000`,
        'loglevel warning',
        '',
      ].join('\n'),
    );
    const process = spawn('redis-sentinel', [configuration], { stdio: 'ignore' });
    this.sentinels.push({ port, process });
    await eventually(async () => (await askRedis(port, 'PING')) === 'PONG', 10_000, `sentinel ${port} to answer`);
  }
}

/**
 * A PgBouncer of the test's own in transaction pooling mode, in front of one database of a Postgres server (the
 * shared one), as managed Postgres offerings put it in front of theirs.
 */
export class PrivatePgBouncer {
  private constructor(
    private readonly directory: string,
    readonly port: number,
    private readonly database: string,
    private readonly server: ChildProcess,
  ) {}

  /** The URL the processes take, marked as going through PgBouncer. */
  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${this.database}?pgbouncer=true`;
  }

  /** @param upstreamUrl the database behind the pooler; its user must be let in without a password */
  static async start(upstreamUrl: string): Promise<PrivatePgBouncer> {
    const upstream = new URL(upstreamUrl);
    const database = upstream.pathname.slice(1);
    const directory = mkdtempSync(join(tmpdir(), 'flotilla-pgbouncer-'));
    const port = await freePort();
    writeFileSync(join(directory, 'users.txt'), `"${decodeURIComponent(upstream.username)}" ""\n`);
    writeFileSync(
      join(directory, 'pgbouncer.ini'),
      [
        '[databases]',
        `${database} = host=${upstream.hostname} port=${upstream.port || 5432} dbname=${database}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(directory, 'users.txt')}`,
        'pool_mode = transaction',
        'default_pool_size = 10',
        'max_client_conn = 500',
        '',
      ].join('\n'),
    );
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds('postgres');
      chownSync(directory, uid, gid);
    }
    // PgBouncer refuses to run as root; `-u` drops to the postgres user.
    const userArguments = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
    const server = spawn('pgbouncer', [...userArguments, join(directory, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const bouncer = new PrivatePgBouncer(directory, port, database, server);
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      await eventually(
        async () => {
          if (server.exitCode !== null) throw new Error(`pgbouncer exited (${server.exitCode}): ${output}`);
          const client = new pg.Client({ connectionString: bouncer.url.replace('?pgbouncer=true', '') });
          try {
            await client.connect();
            return (await client.query('SELECT 1')).rowCount === 1;
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        10_000,
        'pgbouncer to listen',
      );
      return bouncer;
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await stopProcess(this.server);
    rmSync(this.directory, { recursive: true, force: true });
  }
}
