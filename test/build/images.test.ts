import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDashboardBuilt } from '../dashboard/dashboard-build.js';
import { containerOf, parseDockerfile, stageChain, type DockerCopy } from '../support/dockerfile.js';

/**
 * Builds each image of deploy/images/Dockerfile as far as can be done without a container engine: installs the
 * dependencies the way its dependency stages do, lays the image's /app out from the Dockerfile's own COPY lines, and
 * starts the image's command there (with `--check-config`; the migration image migrates a fresh database).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const stages = parseDockerfile(readFileSync(join(root, 'deploy/images/Dockerfile'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-images-'));
/** /staged of the build stage. */
const staged = join(scratch, 'staged');
/** Installed dependencies are kept between runs, one directory per package.json and lockfile installed. */
const dependencyCache = join(root, 'node_modules/.cache/flotilla-image-dependencies');

/** Where the paths of each stage's filesystem that the images copy from are found here; the rest once installed. */
const STAGE_PATHS: Record<string, Array<[string, string]>> = {
  build: [
    ['/staged', staged],
    ['/app', root],
  ],
};
/** Installed packages are linked, not copied: they resolve one another as they do in the image, and never import ours. */
const LINKED_STAGES = new Set(['dependencies', 'migration-dependencies']);

function hostPath(stage: string | undefined, path: string): string {
  if (stage === undefined) return join(root, path);
  for (const [prefix, directory] of STAGE_PATHS[stage] ?? [])
    if (path === prefix || path.startsWith(`${prefix}/`)) return join(directory, path.slice(prefix.length));
  throw new Error(`COPY --from=${stage} ${path}: not a path this test knows`);
}

/** A linked directory becomes a directory of links to its entries, so that what is copied next lands beside them. */
function unlinkDirectory(target: string): void {
  const linked = realpathSync(target);
  unlinkSync(target);
  mkdirSync(target);
  for (const entry of readdirSync(linked)) symlinkSync(join(linked, entry), join(target, entry));
}

/** Docker's COPY of one source: a directory's contents merge into the target, a file replaces it. */
function place(source: string, target: string, link: boolean): void {
  if (!statSync(source).isDirectory()) {
    rmSync(target, { force: true });
    if (link) symlinkSync(source, target);
    else copyFileSync(source, target);
    return;
  }
  if (existsSync(target) && lstatSync(target).isSymbolicLink()) unlinkDirectory(target);
  else if (!existsSync(target)) {
    if (link) return symlinkSync(source, target);
    mkdirSync(target, { recursive: true });
  }
  for (const entry of readdirSync(source)) place(join(source, entry), join(target, entry), link);
}

function applyCopy(copy: DockerCopy, image: string): void {
  const destination = posix.resolve(copy.directory, copy.destination);
  expect(destination.startsWith('/app'), `COPY to ${destination}: everything lives under /app`).toBe(true);
  const target = join(image, destination.slice('/app'.length));
  const intoDirectory = copy.destination.endsWith('/') || copy.sources.length > 1;
  for (const source of copy.sources) {
    const from = hostPath(copy.from, source);
    expect(existsSync(from), `COPY --from=${copy.from ?? 'context'} ${source}: missing`).toBe(true);
    const into = intoDirectory && !statSync(from).isDirectory() ? join(target, posix.basename(source)) : target;
    mkdirSync(join(into, '..'), { recursive: true });
    place(from, into, copy.from !== undefined && LINKED_STAGES.has(copy.from));
  }
}

/** Lays out the image's /app from the COPY lines of its stage and the stages under it. */
function assembleImage(target: string): string {
  const image = join(scratch, 'images', target);
  mkdirSync(image, { recursive: true });
  for (const stage of stageChain(stages, target)) for (const copy of stage.copies) applyCopy(copy, image);
  return image;
}

/** Runs the image's command from its WORKDIR with its ENV, plus the environment given (what a Deployment sets). */
function runImage(target: string, environment: Record<string, string>, extraArguments: string[] = []) {
  const image = join(scratch, 'images', target);
  const container = containerOf(stages, target);
  const [program, ...programArguments] = container.command;
  expect(program).toBe('node');
  return spawnSync(process.execPath, [...programArguments, ...extraArguments], {
    cwd: join(image, container.workdir.slice('/app'.length)),
    env: { PATH: process.env.PATH ?? '', HOME: scratch, ...container.environment, ...environment },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Files of ours (not installed packages) in the image. */
function ownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? ownFiles(path) : [path];
  });
}

/** Installs what a dependency stage installs, into its /app, unless an earlier run installed the same. */
function installDependencies(...options: string[]): string {
  const manifest = execFileSync(
    process.execPath,
    [join(root, 'deploy/images/production-package.mjs'), join(root, 'package.json'), ...options],
    {
      encoding: 'utf8',
    },
  );
  const lockfile = readFileSync(join(root, 'package-lock.json'));
  const directory = join(dependencyCache, createHash('sha256').update(manifest).update(lockfile).digest('hex').slice(0, 16));
  if (existsSync(directory)) return directory;
  const installing = `${directory}.${process.pid}`;
  mkdirSync(installing, { recursive: true });
  writeFileSync(join(installing, 'package.json'), manifest);
  writeFileSync(join(installing, 'package-lock.json'), lockfile);
  execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: installing,
    stdio: 'pipe',
  });
  renameSync(installing, directory);
  return directory;
}

const CONTROL_PLANE_ENVIRONMENT = {
  DATABASE_URL: 'postgresql://flotilla@postgres.example:5432/flotilla',
  REDIS_URL: 'redis://redis.example:6379',
};
const PROCESSES = [
  { target: 'api', environment: CONTROL_PLANE_ENVIRONMENT },
  { target: 'worker', environment: CONTROL_PLANE_ENVIRONMENT },
  { target: 'agent', environment: { FLOTILLA_URL: 'https://flotilla.example.com', FLOTILLA_AGENT_TOKEN: 'token' } },
];

describe('container images', () => {
  beforeAll(() => {
    STAGE_PATHS.dependencies = [['/app', installDependencies()]];
    ensureDashboardBuilt();
    for (const app of ['api', 'worker', 'agent'])
      execFileSync(process.execPath, ['deploy/images/stage-app.mjs', app, join(staged, app)], { cwd: root, stdio: 'pipe' });
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('run as a numeric non-root user on a pinned node:20-slim', () => {
    const bases = [...stages.values()].map((stage) => stage.base).filter((base) => !stages.has(base));
    expect(new Set(bases)).toEqual(new Set([expect.stringMatching(/^node:20\.\d+\.\d+-slim$/) as string]));
    expect(readFileSync(join(root, 'deploy/images/Dockerfile'), 'utf8')).toMatch(/^USER 10001:10001$/m);
  });

  it.each(PROCESSES)('$target: the image holds its code and no tests, and boots its configuration check', ({ target, environment }) => {
    const image = assembleImage(target);
    const files = ownFiles(image).map((file) => relative(image, file));
    expect(files).toContain(`apps/${target}/dist/main.js`);
    expect(files.filter((file) => /\.(test|test-support)\.js$|\/(bench|testing|test-support|src)\/|\.tsbuildinfo$/.test(file))).toEqual([]);
    expect(readdirSync(join(image, 'node_modules/@flotilla'))).not.toContain('kube-sim');

    const valid = runImage(target, environment, ['--check-config']);
    expect(valid.stderr).toBe('');
    expect(valid.stdout).toBe(`${target}: configuration is valid\n`);
    expect(valid.status).toBe(0);
  });

  it('agent: the configuration check refuses what the agent would refuse', () => {
    const refused = runImage('agent', { FLOTILLA_URL: 'ftp://flotilla.example.com' }, ['--check-config']);
    expect(refused.stderr).toContain('FLOTILLA_URL must be http:// or https://');
    expect(refused.stderr).toContain('FLOTILLA_AGENT_TOKEN');
    expect(refused.status).toBe(2);
  });

  it('api: serves the built dashboard and holds the bootstrap command', () => {
    expect(existsSync(join(scratch, 'images/api/apps/dashboard/dist/index.html'))).toBe(true);
    expect(existsSync(join(scratch, 'images/api/apps/api/dist/bootstrap.js'))).toBe(true);
  });

  describe('migrate', () => {
    const base = new URL(inject('databaseUrl'));
    const database = `flotilla_image_${Date.now()}_${process.pid}`;
    const admin = new pg.Client({ connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString() });

    beforeAll(async () => {
      STAGE_PATHS['migration-dependencies'] = [['/app', installDependencies('--migrations')]];
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
    }, 120_000);

    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    });

    it('applies every migration to an empty database', async () => {
      assembleImage('migrate');
      const databaseUrl = Object.assign(new URL(base), { pathname: `/${database}` }).toString();
      const run = runImage('migrate', { DATABASE_URL: databaseUrl });
      expect(run.status, run.stderr + run.stdout).toBe(0);

      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const applied = await client.query<{ migration_name: string }>(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      );
      await client.end();
      const migrations = readdirSync(join(root, 'prisma/migrations'), { withFileTypes: true }).filter((entry) => entry.isDirectory());
      expect(applied.rows.map((row) => row.migration_name).sort()).toEqual(migrations.map((entry) => entry.name).sort());
    });
  });
});
