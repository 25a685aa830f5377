import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { startApiProcess } from '../support/api-process.js';
import { graphqlData } from '../support/graphql-client.js';
import { stopProcess } from '../support/processes.js';

const BOOTSTRAP = fileURLToPath(new URL('../../apps/api/dist/bootstrap.js', import.meta.url));
const organization = `boot-${randomUUID().slice(0, 8)}`;
const environment = {
  DATABASE_URL: inject('databaseUrl'),
  REDIS_URL: inject('redisUrl'),
  REDIS_PREFIX: `boot-${randomUUID().slice(0, 8)}`,
};
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-bootstrap-'));

interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built bootstrap command as an operator runs it, in a process of its own. */
function bootstrap(...args: string[]): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BOOTSTRAP, ...args],
      { env: { PATH: process.env.PATH ?? '', ...environment }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

let api: { child: ChildProcess; url: string };
let database: DatabaseClient;

const sessionOf = (token: string) =>
  graphqlData<{ me: { organization: string; role: string } }>(api.url, token, '{ me { organization role } }');
const adminTokens = () =>
  database.apiToken.findMany({ where: { organization: { name: organization }, role: 'admin' }, select: { tokenHash: true } });

beforeAll(async () => {
  database = createDatabaseClient(inject('databaseUrl'), 1);
  api = await startApiProcess(environment);
});

afterAll(async () => {
  await stopProcess(api.child);
  await database.$disconnect();
  rmSync(scratch, { recursive: true, force: true });
});

describe('bootstrap of an installed control plane', () => {
  let firstToken = '';

  it('creates the organization and prints one admin token, stored only as its hash, that the API accepts', async () => {
    const run = await bootstrap('--organization', organization);
    expect(run.stderr).toContain(`organization ${organization} created with admin token`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^flt_[\w-]{43}\n$/);
    firstToken = run.stdout.trim();

    const stored = await adminTokens();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).not.toContain(firstToken);
    expect(await sessionOf(firstToken)).toEqual({ me: { organization, role: 'admin' } });
  });

  it('run again, issues no second admin token and says why', async () => {
    const run = await bootstrap('--organization', organization);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`organization ${organization} already has admin tokens (${firstToken.slice(0, 8)}`);
    expect(run.stderr).toContain('--new-token');
    expect(await adminTokens()).toHaveLength(1);
  });

  it('with --new-token, writes another admin token to a file only its owner reads, and both work', async () => {
    const tokenFile = join(scratch, 'admin.token');
    const run = await bootstrap('--organization', organization, '--new-token', '--token-file', tokenFile);
    expect(run.stderr).toContain(`new admin token`);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const second = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(second).not.toBe(firstToken);
    expect(await adminTokens()).toHaveLength(2);
    expect((await sessionOf(second)).me.organization).toBe(organization);
    expect((await sessionOf(firstToken)).me.organization).toBe(organization);
  });

  it('refuses a name that is no DNS-1123 label before touching the database, with its usage', async () => {
    const run = await bootstrap('--organization', 'Acme Corp');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--organization "Acme Corp" must be lowercase');
    expect(run.stderr).toContain('usage: node dist/bootstrap.js');
    expect(run.stdout).toBe('');
  });
});
