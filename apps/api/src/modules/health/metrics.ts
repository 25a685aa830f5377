import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from '@flotilla/service-runtime';

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

  /** Agents connected to this replica: each cluster's agent holds one connection to one replica. */
  readonly agentConnections = new Gauge({
    name: 'flotilla_agent_connections',
    help: 'Agents connected to this API replica.',
    registers: [this.registry],
  });

  readonly agentMessages = new Counter({
    name: 'flotilla_agent_messages_total',
    help: 'Agent protocol messages, by direction (received or sent) and message type; undecodable ones are of type invalid.',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
  });

  readonly agentMessagesDropped = new Counter({
    name: 'flotilla_agent_messages_dropped_total',
    help: 'Agent messages dropped unread because their agent was over its message rate.',
    registers: [this.registry],
  });

  constructor() {
    registerProcessMetrics(this.registry, 'flotilla_api_');
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
