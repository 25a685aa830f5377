import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry with Node's default metrics and the API's own. */
export class ApiMetrics {
  readonly registry = new Registry();

  readonly graphqlOperations = new Counter({
    name: 'flotilla_graphql_operations_total',
    help: 'GraphQL operations served, by type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'flotilla_graphql_operation_duration_seconds',
    help: 'Time to serve a GraphQL operation.',
    labelNames: ['type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'flotilla_api_' });
  }

  /** Counts and times every GraphQL operation. */
  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: () => {
        const stopTimer = this.graphqlDuration.startTimer();
        return Promise.resolve({
          willSendResponse: ({ operation, errors }) => {
            const type = operation?.operation ?? 'unknown';
            stopTimer({ type });
            this.graphqlOperations.inc({ type, outcome: errors && errors.length > 0 ? 'error' : 'ok' });
            return Promise.resolve();
          },
        });
      },
    };
  }
}
