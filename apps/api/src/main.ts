import { loadApiConfig } from './config/api-config.js';
import { startApi } from './http-server.js';
import {
  configuredOrExit,
  createLogger,
  exitIfOnlyCheckingConfig,
  exitOnConfigurationError,
  stopOnSignals,
  surviveUnhandledRejections,
} from '@flotilla/service-runtime';

const config = configuredOrExit('api', () => loadApiConfig());
exitIfOnlyCheckingConfig('api');
const logger = createLogger('api', config.logLevel);
surviveUnhandledRejections(logger);

try {
  const api = await startApi(config, logger);
  const graceMs = config.shutdownGraceSeconds * 1000;
  const drainMs = config.shutdownDrainSeconds * 1000;
  // Requests under way get half of what the drain leaves; the other half is for the goodbyes and the connections.
  stopOnSignals(logger, graceMs, async (step) => {
    await step('serving while load balancers notice /readyz', () => api.drain(drainMs));
    await step('HTTP requests, WebSockets and connections of the API', () => api.close((graceMs - drainMs) / 2));
  });
} catch (error) {
  // Keys and key rings named by the configuration are read as the application starts.
  exitOnConfigurationError('api', error);
  logger.fatal({ err: error }, 'control plane API failed to start');
  process.exit(1);
}
