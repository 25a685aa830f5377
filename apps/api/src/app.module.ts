import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import type { ApiConfig } from './config/api-config.js';
import { AuthService } from './common/auth/auth.service.js';
import { RoleGuard } from './common/auth/role.guard.js';
import { FlotillaError, type Logger } from '@flotilla/service-runtime';
import { formatGraphqlError } from './common/graphql/format-error.js';
import { authenticateMetered } from './common/auth/metered-authentication.js';
import type { QueryLimits } from './common/graphql/operation-admission.js';
import { queryLimitsPlugin, refuseOverBudget } from './common/graphql/query-limits.plugin.js';
import { newRequestId, type RequestContext } from './common/graphql/request-context.js';
import { RequestDeadlineInterceptor } from './common/graphql/request-deadline.interceptor.js';
import { SubscriptionServer } from './common/graphql/subscription-server.js';
import { RequestRateLimiter } from './common/rate-limit/request-rate-limiter.js';
import { CoreModule } from './infrastructure/core.module.js';
import { LOGGER, REDIS } from './infrastructure/tokens.js';
import { AgentGateway } from './modules/agent-gateway/agent-gateway.js';
import { AnalysisResolver } from './modules/analysis/analysis.resolver.js';
import { AnalysisRunsService } from './modules/analysis/analysis-runs.service.js';
import { ExperimentOperationsResolver } from './modules/experiment-operations/experiment-operations.resolver.js';
import { ExperimentOperationsService } from './modules/experiment-operations/experiment-operations.service.js';
import { AuditResolver } from './modules/audit/audit.resolver.js';
import { ClustersResolver } from './modules/clusters/clusters.resolver.js';
import { ClustersService } from './modules/clusters/clusters.service.js';
import { ExperimentsResolver } from './modules/experiment-queries/experiments.resolver.js';
import { FleetMembersResolver, FleetQueriesResolver, FleetReleaseAnalysisResolver } from './modules/fleet/fleet-queries.resolver.js';
import { FleetQueriesService } from './modules/fleet/fleet-queries.service.js';
import { FleetReleaseOperationsResolver } from './modules/fleet/fleet-release-operations.resolver.js';
import { FleetReleasesService } from './modules/fleet/fleet-releases.service.js';
import { BreakGlassNotifier } from './modules/freezes/break-glass-notifier.js';
import { FreezeGate } from './modules/freezes/freeze-gate.js';
import {
  BreakGlassResolver,
  FreezesResolver,
  OrganizationSettingsResolver,
  RolloutFreezeResolver,
} from './modules/freezes/freezes.resolver.js';
import { FreezesService } from './modules/freezes/freezes.service.js';
import { HealthController } from './modules/health/health.controller.js';
import { ServingState } from './modules/health/serving-state.js';
import { ApiMetrics } from './modules/health/metrics.js';
import { ManifestsResolver } from './modules/manifests/manifests.resolver.js';
import { ManifestsService } from './modules/manifests/manifests.service.js';
import { NotificationConfigurationResolver } from './modules/notifications/notification-configuration.resolver.js';
import { NotificationConfigurationService } from './modules/notifications/notification-configuration.service.js';
import { NotificationsResolver } from './modules/notifications/notifications.resolver.js';
import { NotificationsService } from './modules/notifications/notifications.service.js';
import { RolloutsResolver } from './modules/rollouts/rollouts.resolver.js';
import { RolloutHistoryResolver } from './modules/rollouts/rollout-history.resolver.js';
import { RolloutsService } from './modules/rollouts/rollouts.service.js';
import { TokensResolver } from './modules/tokens/tokens.resolver.js';
import { TokensService } from './modules/tokens/tokens.service.js';

const SCHEMA_FILE = fileURLToPath(new URL('../schema.gql', import.meta.url));

function rateLimiterOf(redis: Redis, config: ApiConfig): RequestRateLimiter {
  return new RequestRateLimiter(redis, config.redisPrefix, {
    points: config.rateLimitPoints,
    windowSeconds: config.rateLimitWindowSeconds,
    anonymousRequests: config.rateLimitAnonymousRequests,
  });
}

function queryLimitsOf(config: ApiConfig): QueryLimits {
  return {
    maxDepth: config.maxQueryDepth,
    maxComplexity: config.maxQueryComplexity,
    maxRootFields: config.maxRootFields,
    maxAliases: config.maxQueryAliases,
    maxListEntries: config.maxListArgumentEntries,
    maxStringLength: config.maxStringArgumentLength,
  };
}

/**
 * Who is calling, and until when the request may run. A request from an address that has spent its budget for
 * requests without a valid token is refused before its token is looked up; one without a valid token spends one
 * request of that budget.
 */
async function buildRequestContext(
  auth: AuthService,
  rateLimiter: RequestRateLimiter,
  req: Request,
  requestTimeoutMs: number,
): Promise<RequestContext> {
  const request = { requestId: newRequestId(req), clientAddress: req.ip, deadline: Date.now() + requestTimeoutMs };
  const authenticated = await authenticateMetered(auth, rateLimiter, req.headers.authorization, request.clientAddress).catch(
    refuseOverBudget,
  );
  return authenticated instanceof FlotillaError
    ? { ...request, principal: undefined, authenticationError: authenticated }
    : { ...request, principal: authenticated, authenticationError: undefined };
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
          inject: [AuthService, ApiMetrics, LOGGER, REDIS],
          useFactory: (auth: AuthService, metrics: ApiMetrics, logger: Logger, redis: Redis) => {
            const rateLimiter = rateLimiterOf(redis, config);
            return {
              autoSchemaFile: options.writeSchema ? SCHEMA_FILE : true,
              sortSchema: true,
              path: '/graphql',
              graphiql: false,
              introspection: true,
              includeStacktraceInErrorResponses: false,
              parseOptions: { maxTokens: config.maxQueryTokens },
              persistedQueries: false,
              // Apollo's default cache of parsed documents is sized by their JSON, a fraction of what their syntax
              // trees take in the heap: distinct maximal documents held it at hundreds of megabytes long after the load.
              documentStore: null,
              // A request refused mid-execution (its deadline passed) keeps its status, 503, as refusals before it do.
              preserveHttpStatusForExecutionErrors: false,
              // graphql-ws is served by SubscriptionServer, with the same authentication and limits.
              context: ({ req }: { req: Request }) => buildRequestContext(auth, rateLimiter, req, config.requestTimeoutMs),
              formatError: formatGraphqlError(logger),
              plugins: [queryLimitsPlugin(queryLimitsOf(config), rateLimiter), metrics.apolloPlugin()],
            };
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: RoleGuard },
        { provide: APP_INTERCEPTOR, useClass: RequestDeadlineInterceptor },
        ClustersService,
        ClustersResolver,
        TokensService,
        TokensResolver,
        RolloutsService,
        RolloutsResolver,
        RolloutHistoryResolver,
        ManifestsService,
        ManifestsResolver,
        NotificationsService,
        NotificationsResolver,
        NotificationConfigurationService,
        NotificationConfigurationResolver,
        AnalysisRunsService,
        AnalysisResolver,
        ExperimentsResolver,
        ExperimentOperationsService,
        ExperimentOperationsResolver,
        AuditResolver,
        FleetQueriesService,
        FleetQueriesResolver,
        FleetMembersResolver,
        FleetReleaseAnalysisResolver,
        FleetReleasesService,
        FleetReleaseOperationsResolver,
        FreezeGate,
        BreakGlassNotifier,
        FreezesService,
        FreezesResolver,
        BreakGlassResolver,
        OrganizationSettingsResolver,
        RolloutFreezeResolver,
        AgentGateway,
        ServingState,
        {
          provide: SubscriptionServer,
          inject: [HttpAdapterHost, GraphQLSchemaHost, AuthService, REDIS, LOGGER],
          useFactory: (httpAdapterHost: HttpAdapterHost, schemaHost: GraphQLSchemaHost, auth: AuthService, redis: Redis, logger: Logger) =>
            new SubscriptionServer(httpAdapterHost, schemaHost, auth, rateLimiterOf(redis, config), config, queryLimitsOf(config), logger),
        },
      ],
    };
  }
}
