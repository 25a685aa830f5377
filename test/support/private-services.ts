import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
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

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
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
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
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
