import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EventBus } from '@flotilla/events';
import { AnalysisQueue, FleetReconcileQueue, NotificationQueue, ReconcileQueue } from '@flotilla/queues';
import { createLogger, createRedisConnection, SecretBox, type Logger } from '@flotilla/service-runtime';
import {
  AnalysisQueries,
  AuditCheckpointStore,
  AuditStore,
  AuditSigner,
  createDatabaseClient,
  ExperimentQueries,
  ApiTokenStore,
  ClusterStore,
  OrganizationStore,
  AnalysisTemplateStore,
  ExperimentStore,
  FleetReleaseStore,
  FleetRolloutStore,
  FreezeWindowStore,
  BreakGlassStore,
  NotificationConfigStore,
  NotificationDeliveryStore,
  NotificationDecider,
  NotificationMuteStore,
  ParsedConfigurations,
  RolloutStore,
  RunTerminationStore,
  SqlPool,
  type DatabaseClient,
} from '@flotilla/stores';
import type { ApiConfig } from '../config/api-config.js';
import { AuthService } from '../common/auth/auth.service.js';
import { ApiMetrics } from '../modules/health/metrics.js';
import {
  ANALYSIS_QUEUE,
  API_CONFIG,
  AUDIT_SIGNER,
  DATABASE,
  EVENT_BUS,
  FLEET_RECONCILE_QUEUE,
  NOTIFICATION_QUEUE,
  LOGGER,
  RECONCILE_QUEUE,
  REDIS,
  SQL,
} from './tokens.js';

const EVENT_SUBSCRIBER = Symbol('EVENT_SUBSCRIBER');
const SQL_POOL_SIZE = 4;

/** Connections and cross-cutting services every feature module uses; closed when the application stops. */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    @Inject(SQL) private readonly sql: SqlPool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(EVENT_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
    @Inject(ANALYSIS_QUEUE) private readonly analysisQueue: AnalysisQueue,
    @Inject(FLEET_RECONCILE_QUEUE) private readonly fleetReconcileQueue: FleetReconcileQueue,
    @Inject(NOTIFICATION_QUEUE) private readonly notificationQueue: NotificationQueue,
  ) {}

  static forRoot(config: ApiConfig, logger: Logger = createLogger('api', config.logLevel)): DynamicModule {
    const connectionLogger = logger.child({ component: 'connections' });
    return {
      module: CoreModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        // A statement outlives no request: the API's requests are abandoned at the same deadline.
        {
          provide: DATABASE,
          useFactory: () =>
            createDatabaseClient(config.databaseUrl, 10, { statementTimeoutMs: config.requestTimeoutMs, logger: connectionLogger }),
        },
        { provide: SQL, useFactory: () => new SqlPool(config.databaseUrl, SQL_POOL_SIZE, connectionLogger, config.requestTimeoutMs) },
        { provide: REDIS, useFactory: () => createRedisConnection(config.redis, { autoPipelining: true, logger: connectionLogger }) },
        {
          provide: EVENT_SUBSCRIBER,
          useFactory: () => createRedisConnection(config.redis, { forWorkers: true, logger: connectionLogger }),
        },
        {
          provide: EVENT_BUS,
          inject: [REDIS, EVENT_SUBSCRIBER],
          useFactory: async (publisher: Redis, subscriber: Redis) => {
            const bus = new EventBus(publisher, subscriber, logger.child({ component: 'event-bus' }), config.redisPrefix);
            await bus.start();
            return bus;
          },
        },
        { provide: RECONCILE_QUEUE, inject: [REDIS], useFactory: (redis: Redis) => new ReconcileQueue(redis, config.redisPrefix) },
        { provide: ANALYSIS_QUEUE, inject: [REDIS], useFactory: (redis: Redis) => new AnalysisQueue(redis, config.redisPrefix) },
        {
          provide: FLEET_RECONCILE_QUEUE,
          inject: [REDIS],
          useFactory: (redis: Redis) => new FleetReconcileQueue(redis, config.redisPrefix),
        },
        { provide: NOTIFICATION_QUEUE, inject: [REDIS], useFactory: (redis: Redis) => new NotificationQueue(redis, config.redisPrefix) },
        { provide: AUDIT_SIGNER, useFactory: () => AuditSigner.fromFile(config.auditSigningKeyFile) ?? null },
        {
          provide: AuditStore,
          inject: [DATABASE, EVENT_BUS],
          useFactory: (database: DatabaseClient, bus: EventBus) => new AuditStore(database, bus),
        },
        {
          provide: AuditCheckpointStore,
          inject: [DATABASE, AUDIT_SIGNER, AuditStore],
          useFactory: (database: DatabaseClient, signer: AuditSigner | null, audit: AuditStore) =>
            new AuditCheckpointStore(database, signer, audit),
        },
        {
          provide: ClusterStore,
          inject: [DATABASE, SQL],
          useFactory: (database: DatabaseClient, sql: SqlPool) => new ClusterStore(database, sql),
        },
        {
          provide: ApiTokenStore,
          inject: [DATABASE, AuditStore, SQL],
          useFactory: (database: DatabaseClient, audit: AuditStore, sql: SqlPool) => new ApiTokenStore(database, audit, sql),
        },
        {
          provide: OrganizationStore,
          inject: [DATABASE, AuditStore, ApiTokenStore],
          useFactory: (database: DatabaseClient, audit: AuditStore, tokens: ApiTokenStore) =>
            new OrganizationStore(database, audit, tokens),
        },
        { provide: AnalysisQueries, inject: [DATABASE], useFactory: (database: DatabaseClient) => new AnalysisQueries(database) },
        { provide: ExperimentQueries, inject: [DATABASE], useFactory: (database: DatabaseClient) => new ExperimentQueries(database) },
        {
          provide: RolloutStore,
          inject: [DATABASE, SQL],
          useFactory: (database: DatabaseClient, sql: SqlPool) => new RolloutStore(database, { sql }),
        },
        { provide: FleetRolloutStore, inject: [DATABASE], useFactory: (database: DatabaseClient) => new FleetRolloutStore(database) },
        { provide: FreezeWindowStore, inject: [DATABASE], useFactory: (database: DatabaseClient) => new FreezeWindowStore(database) },
        { provide: BreakGlassStore, inject: [DATABASE], useFactory: (database: DatabaseClient) => new BreakGlassStore(database) },
        {
          provide: NotificationConfigStore,
          inject: [DATABASE],
          useFactory: (database: DatabaseClient) =>
            new NotificationConfigStore(database, SecretBox.load({ keysFile: config.notificationKeysFile, keys: config.notificationKeys })),
        },
        {
          provide: NotificationDeliveryStore,
          inject: [DATABASE],
          useFactory: (database: DatabaseClient) => new NotificationDeliveryStore(database),
        },
        {
          provide: NotificationMuteStore,
          inject: [DATABASE],
          useFactory: (database: DatabaseClient) => new NotificationMuteStore(database),
        },
        {
          provide: NotificationDecider,
          inject: [NotificationConfigStore, NotificationDeliveryStore, NotificationMuteStore],
          useFactory: (configs: NotificationConfigStore, deliveries: NotificationDeliveryStore, mutes: NotificationMuteStore) =>
            new NotificationDecider(configs, deliveries, mutes, new ParsedConfigurations(), logger.child({ component: 'notifications' }), {
              bound: { perMinute: config.notificationsPerOrganizationPerMinute },
              rulesTtlMs: 30_000,
            }),
        },
        {
          provide: FleetReleaseStore,
          inject: [DATABASE, RolloutStore, AuditStore],
          useFactory: (database: DatabaseClient, rollouts: RolloutStore, audit: AuditStore) =>
            new FleetReleaseStore(database, rollouts, audit),
        },
        {
          provide: ExperimentStore,
          inject: [DATABASE, AuditStore],
          useFactory: (database: DatabaseClient, audit: AuditStore) => new ExperimentStore(database, audit),
        },
        {
          provide: RunTerminationStore,
          inject: [DATABASE, AuditStore],
          useFactory: (database: DatabaseClient, audit: AuditStore) => new RunTerminationStore(database, audit),
        },
        {
          provide: AnalysisTemplateStore,
          inject: [DATABASE],
          useFactory: (database: DatabaseClient) => new AnalysisTemplateStore(database),
        },
        AuthService,
        ApiMetrics,
      ],
      exports: [
        API_CONFIG,
        LOGGER,
        DATABASE,
        SQL,
        REDIS,
        EVENT_BUS,
        RECONCILE_QUEUE,
        ANALYSIS_QUEUE,
        FLEET_RECONCILE_QUEUE,
        NOTIFICATION_QUEUE,
        AuditStore,
        AuditCheckpointStore,
        AnalysisQueries,
        ExperimentQueries,
        ClusterStore,
        ApiTokenStore,
        OrganizationStore,
        RolloutStore,
        FleetRolloutStore,
        FreezeWindowStore,
        BreakGlassStore,
        NotificationConfigStore,
        NotificationDeliveryStore,
        NotificationMuteStore,
        NotificationDecider,
        FleetReleaseStore,
        ExperimentStore,
        AnalysisTemplateStore,
        RunTerminationStore,
        AuthService,
        ApiMetrics,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([
      this.reconcileQueue.close(),
      this.analysisQueue.close(),
      this.fleetReconcileQueue.close(),
      this.notificationQueue.close(),
    ]);
    await Promise.allSettled([this.database.$disconnect(), this.sql.end(), this.redis.quit(), this.subscriber.quit()]);
  }
}
