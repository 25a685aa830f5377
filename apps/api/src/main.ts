import { loadApiConfig } from './config/api-config.js';
import { startApi } from './http-server.js';
import { createLogger } from './infrastructure/logger.js';

const config = loadApiConfig();
const logger = createLogger('api', config.logLevel);

try {
  await startApi(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'control plane API failed to start');
  process.exit(1);
}
