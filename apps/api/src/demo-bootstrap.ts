import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hashSecret } from './common/auth/secrets.js';
import { loadApiConfig } from './config/api-config.js';
import { createDatabaseClient, type DatabaseClient } from './infrastructure/database.js';
import { EventBus } from './infrastructure/event-bus.js';
import { createLogger } from './infrastructure/logger.js';
import { createRedisConnection } from './infrastructure/redis.js';
import { AuditService } from './modules/audit/audit.service.js';
import { createOrganization, issueOperatorToken } from './modules/organizations/organizations.js';

/**
 * Prepares the local demo: an organization `demo` with an admin token written to `.flotilla/token`
 * (kept across restarts while it still works). Safe to run any number of times.
 */
const DEMO_ORGANIZATION = 'demo';
const home = resolve(process.env.FLOTILLA_HOME ?? '.flotilla');
const tokenFile = join(home, 'token');

const config = loadApiConfig();
const logger = createLogger('demo-bootstrap', config.logLevel);
const database = createDatabaseClient(config.databaseUrl, 2);
const publisher = createRedisConnection(config.redisUrl);
const subscriber = createRedisConnection(config.redisUrl);
const audit = new AuditService(database, new EventBus(publisher, subscriber, logger, config.redisPrefix));

async function existingToken(client: DatabaseClient): Promise<string | undefined> {
  const secret = (await readFile(tokenFile, 'utf8').catch(() => '')).trim();
  if (!secret) return undefined;
  const token = await client.apiToken.findUnique({ where: { tokenHash: hashSecret(secret) }, include: { organization: true } });
  return token && !token.revokedAt && token.organization.name === DEMO_ORGANIZATION ? secret : undefined;
}

async function demoToken(): Promise<{ secret: string; created: boolean }> {
  const kept = await existingToken(database);
  if (kept) return { secret: kept, created: false };
  const organization = await database.organization.findUnique({ where: { name: DEMO_ORGANIZATION } });
  const adminToken = { name: 'demo-admin', role: 'admin' as const };
  const issued = organization
    ? await issueOperatorToken(database, audit, organization.id, adminToken)
    : await createOrganization(database, audit, DEMO_ORGANIZATION, adminToken);
  await mkdir(home, { recursive: true });
  await writeFile(tokenFile, `${issued.secret}\n`, { mode: 0o600 });
  await chmod(tokenFile, 0o600);
  return { secret: issued.secret, created: true };
}

try {
  const { secret, created } = await demoToken();
  logger.info({ tokenFile, created }, created ? 'demo organization token issued' : 'demo organization token kept');
  process.stdout.write(`Demo admin token (${created ? 'new' : 'kept'}), also in ${tokenFile}:\n  ${secret}\n`);
} finally {
  await Promise.allSettled([database.$disconnect(), publisher.quit(), subscriber.quit()]);
}
