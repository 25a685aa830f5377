import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startAgent } from './agent.js';
import { AgentConfigError, loadAgentConfig } from './config/agent-config.js';

export { startAgent, type AgentHandle, type AgentStats } from './agent.js';
export { loadAgentConfig, AgentConfigError, type AgentConfig } from './config/agent-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAgentConfig(process.env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (process.argv.includes('--check-config')) {
    process.stdout.write('agent: configuration is valid\n');
    process.exit(0);
  }
  const logger = pino({ level: config.logLevel, base: { component: 'flotilla-agent' } });
  // Every watch and the connection retry on their own; a stray failed promise is logged, not a reason to stop.
  process.on('unhandledRejection', (reason: unknown) => logger.error({ err: reason }, 'unhandled promise rejection'));
  let agent;
  try {
    agent = startAgent(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start the agent (is the kubeconfig or the in-cluster service account readable?)');
    process.exit(1);
  }
  const shutdown = (signal: string): void => {
    logger.info({ signal, graceSeconds: config.shutdownGraceMs / 1000 }, 'stopping');
    setTimeout(() => {
      logger.error(
        { waitingFor: 'the watches and the control plane connection to close' },
        'grace period over; exiting without waiting further',
      );
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const reason = await agent.stopped;
  logger.fatal({ reason }, 'agent stopped');
  process.exit(1);
}

const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) await main();
