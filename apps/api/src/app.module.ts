import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ApiConfig } from './config/api-config.js';
import { AuthService } from './common/auth/auth.service.js';
import { RoleGuard } from './common/auth/role.guard.js';
import { FlotillaError } from './common/errors.js';
import { formatGraphqlError } from './common/graphql/format-error.js';
import { queryLimitsPlugin } from './common/graphql/query-limits.plugin.js';
import { newRequestId, type RequestContext } from './common/graphql/request-context.js';
import { CoreModule } from './infrastructure/core.module.js';
import type { Logger } from './infrastructure/logger.js';
import { LOGGER } from './infrastructure/tokens.js';
import { AgentGateway } from './modules/agent-gateway/agent-gateway.js';
import { AnalysisResolver } from './modules/analysis/analysis.resolver.js';
import { AuditResolver } from './modules/audit/audit.resolver.js';
import { ClustersResolver } from './modules/clusters/clusters.resolver.js';
import { ClustersService } from './modules/clusters/clusters.service.js';
import { ExperimentsResolver } from './modules/experiment-queries/experiments.resolver.js';
import { HealthController } from './modules/health/health.controller.js';
import { ApiMetrics } from './modules/health/metrics.js';
import { ManifestsResolver } from './modules/manifests/manifests.resolver.js';
import { ManifestsService } from './modules/manifests/manifests.service.js';
import { RolloutsResolver } from './modules/rollouts/rollouts.resolver.js';
import { RolloutsService } from './modules/rollouts/rollouts.service.js';
import { TokensResolver } from './modules/tokens/tokens.resolver.js';
import { TokensService } from './modules/tokens/tokens.service.js';

const SCHEMA_FILE = fileURLToPath(new URL('../schema.gql', import.meta.url));

/** The HTTP request of a GraphQL call, or the WebSocket connection parameters of a subscription. */
interface ContextSource {
  req?: IncomingMessage;
  connectionParams?: Record<string, unknown>;
}

function authorizationOf(source: ContextSource): string | undefined {
  const fromHeader = source.req?.headers.authorization;
  if (fromHeader) return fromHeader;
  const fromParams = source.connectionParams?.authorization ?? source.connectionParams?.Authorization;
  return typeof fromParams === 'string' ? fromParams : undefined;
}

async function buildRequestContext(auth: AuthService, source: ContextSource): Promise<RequestContext> {
  const requestId = newRequestId(source.req);
  try {
    return { requestId, principal: await auth.authenticate(authorizationOf(source)), authenticationError: undefined };
  } catch (error) {
    if (error instanceof FlotillaError) return { requestId, principal: undefined, authenticationError: error };
    throw error;
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig, options: { writeSchema?: boolean } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [AuthService, ApiMetrics, LOGGER],
          useFactory: (auth: AuthService, metrics: ApiMetrics, logger: Logger) => {
            const formatError = formatGraphqlError(logger);
            return {
            autoSchemaFile: options.writeSchema ? SCHEMA_FILE : true,
            sortSchema: true,
            path: '/graphql',
            graphiql: false,
            introspection: true,
            includeStacktraceInErrorResponses: false,
            subscriptions: {
              'graphql-ws': {
                path: '/graphql',
                // Subscription results bypass Apollo, so their errors get the same formatting here.
                onNext: (_context: unknown, _id: string, _payload: unknown, _arguments: unknown, result: ExecutionResult) =>
                  result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result,
                onError: (_context: unknown, _id: string, _payload: unknown, errors: readonly GraphQLError[]) =>
                  errors.map((error) => formatError(error.toJSON(), error)),
              },
            },
            context: (source: ContextSource) => buildRequestContext(auth, source),
            formatError,
            plugins: [
              queryLimitsPlugin({ maxDepth: config.maxQueryDepth, maxComplexity: config.maxQueryComplexity }),
              metrics.apolloPlugin(),
            ],
            };
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: RoleGuard },
        ClustersService,
        ClustersResolver,
        TokensService,
        TokensResolver,
        RolloutsService,
        RolloutsResolver,
        ManifestsService,
        ManifestsResolver,
        AnalysisResolver,
        ExperimentsResolver,
        AuditResolver,
        AgentGateway,
      ],
    };
  }
}
