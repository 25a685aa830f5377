import { loadApiConfig } from './config/api-config.js';
import { startApi } from './http-server.js';
import { createLogger } from '@flotilla/service-runtime';

/** Regenerates apps/api/schema.gql from the code-first models, so that API changes show in review. */
const config = { ...loadApiConfig(), port: 0, metricsPort: 0 };
const api = await startApi(config, createLogger('write-schema', 'warn'), { writeSchema: true });
await api.close();
process.stdout.write('apps/api/schema.gql written\n');
