import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a built entry point with `environment` over the test's own and waits for it to end by itself. */
function runEntry(entry: string, environment: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [entry],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', PORT: '0', WORKER_HEALTH_PORT: '0', METRICS_PORT: '0', ...environment },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => resolve({ exitCode: child.exitCode, stdout, stderr }),
    );
  });
}

/**
 * A bad setting stops the API and the worker as it stops the agent: one line per problem on stderr under the
 * process's name, no stack trace, exit code 2; whether the setting is read at boot or a file it names is read as the
 * process builds what it needs.
 */
describe.each([
  { name: 'api', entry: 'apps/api/dist/main.js' },
  { name: 'worker', entry: 'apps/worker/dist/main.js' },
])('the $name with a bad configuration', ({ name, entry }) => {
  it('names the setting on stderr and exits 2', async () => {
    const outcome = await runEntry(entry, { METRICS_PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(outcome).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        `invalid ${name} configuration:\n` +
        '  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"\n' +
        '  - METRICS_PORT must be an integer of at least 0, got "abc"\n',
    });
  });

  it('names an unreadable audit signing key the same way', async () => {
    const outcome = await runEntry(entry, {
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: `bad-configuration-${randomUUID().slice(0, 8)}`,
      AUDIT_SIGNING_KEY_FILE: '/nonexistent/audit-signing.pem',
    });
    expect(outcome.stderr).toMatch(
      new RegExp(
        `^invalid ${name} configuration:\\n  - AUDIT_SIGNING_KEY_FILE /nonexistent/audit-signing\\.pem cannot be read as a private key \\(.*\\)\\n$`,
      ),
    );
    expect(outcome.exitCode).toBe(2);
  }, 70_000);
});
