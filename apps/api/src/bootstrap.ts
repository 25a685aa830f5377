import { writeFile } from 'node:fs/promises';
import { EventBus } from '@flotilla/events';
import { configuredOrExit, createLogger, createRedisConnection, loadSettings, readControlPlaneSettings } from '@flotilla/service-runtime';
import { ApiTokenStore, AuditStore, createDatabaseClient, OrganizationStore, systemScope } from '@flotilla/stores';
import { BOOTSTRAP_USAGE, BootstrapUsageError, parseBootstrapArguments, type BootstrapRequest } from './bootstrap/bootstrap-arguments.js';
import { ensureFirstAdminToken, type BootstrapOutcome } from './bootstrap/first-admin-token.js';

/**
 * Creates the first organization of an installed control plane and an admin token for it, once: run it again and
 * it says the organization is already set up, unless `--new-token` asks for another admin token. The token is
 * written once (standard output or `--token-file`) and stored only as its hash; everything else goes to stderr.
 */
function readRequest(): BootstrapRequest {
  try {
    return parseBootstrapArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BootstrapUsageError)) throw error;
    process.stderr.write(`bootstrap: ${error.message}\n${BOOTSTRAP_USAGE}`);
    process.exit(2);
  }
}

async function writeToken(secret: string, tokenFile: string | undefined): Promise<void> {
  if (tokenFile === undefined) process.stdout.write(`${secret}\n`);
  else await writeFile(tokenFile, `${secret}\n`, { mode: 0o600 });
}

function describe(outcome: BootstrapOutcome, request: BootstrapRequest): string {
  const where = request.tokenFile === undefined ? 'on standard output' : `in ${request.tokenFile}`;
  switch (outcome.kind) {
    case 'organizationCreated':
      return `organization ${request.organization} created with admin token ${outcome.tokenPrefix}…, written ${where}; it is shown this once`;
    case 'tokenIssued':
      return `organization ${request.organization}: new admin token ${outcome.tokenPrefix}…, written ${where}; it is shown this once`;
    case 'alreadyBootstrapped':
      return (
        `organization ${request.organization} already has admin tokens (${outcome.adminTokenPrefixes.map((prefix) => `${prefix}…`).join(', ')}); ` +
        'no token was issued. Run again with --new-token for another one.'
      );
  }
}

const request = readRequest();
const settings = configuredOrExit('bootstrap', () => loadSettings(readControlPlaneSettings));
const logger = createLogger('bootstrap', settings.logLevel, 'stderr');
const database = createDatabaseClient(settings.databaseUrl, 1);
const publisher = createRedisConnection(settings.redis);
const subscriber = createRedisConnection(settings.redis);
try {
  const audit = new AuditStore(database, new EventBus(publisher, subscriber, logger, settings.redisPrefix));
  const tokens = new ApiTokenStore(database, audit);
  const outcome = await ensureFirstAdminToken(
    systemScope('bootstrap'),
    { organizations: new OrganizationStore(database, audit, tokens), tokens },
    request,
  );
  if (outcome.kind !== 'alreadyBootstrapped') await writeToken(outcome.secret, request.tokenFile);
  process.stderr.write(`bootstrap: ${describe(outcome, request)}\n`);
} catch (error) {
  logger.fatal({ err: error }, 'bootstrap failed');
  process.exitCode = 1;
} finally {
  await Promise.allSettled([database.$disconnect(), publisher.quit(), subscriber.quit()]);
}
