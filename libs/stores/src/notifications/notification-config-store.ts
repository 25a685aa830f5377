import { jsonEqual } from '@flotilla/argo-spec';
import type { LayeredSecretValues } from '@flotilla/notifications';
import { SecretEnvelopeError, type SecretBox, type SecretEnvelope } from '@flotilla/service-runtime';
import { z } from 'zod';
import type { NotificationConfig } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { prismaSession, type PreparedStatement, type SqlSession } from '../database/sql.js';
import { stringMapColumn } from '../rollouts/json-shapes.js';
import { objectColumn } from '../scope/json-column.js';
import type { OrganizationScope, SystemScope } from '../scope/scope.js';

/** Where a notification configuration applies: the whole organization, or one namespace of one of its clusters. */
export type NotificationPlacement = { clusterId: string; namespace: string } | undefined;

/** The ConfigMap and Secret of one placement, values of the Secret left sealed. */
export interface NotificationConfigRecord {
  id: string;
  organizationId: string;
  clusterId: string | null;
  namespace: string | null;
  /** `argo-rollouts-notification-configmap`'s data as applied. */
  configData: Record<string, string>;
  /** The keys of `argo-rollouts-notification-secret`: never its values. */
  secretKeys: string[];
  version: number;
  updatedAt: Date;
}

export type NotificationDocumentApplied = { action: 'Created' | 'Updated' | 'Unchanged'; record: NotificationConfigRecord };

/** Secret keys an apply added, changed (same key, new value) and removed: what its audit names. */
export interface SecretKeysChanged {
  added: string[];
  changed: string[];
  removed: string[];
}

/** The configuration a subject's notifications are decided with: its organization's, then its namespace's. */
export interface NotificationConfigsInEffect {
  organization: NotificationConfigRecord | undefined;
  namespace: NotificationConfigRecord | undefined;
}

/** What a delivery is sent with: the configuration in effect and the Secret values of each of its layers. */
export interface NotificationDeliveryConfig {
  configs: NotificationConfigsInEffect;
  secrets: LayeredSecretValues;
}

/** The organization's configuration row and the namespace's (`$2`, or '' for none). */
export const NOTIFICATION_CONFIGS_IN_EFFECT: PreparedStatement = {
  name: 'notification-configs-in-effect',
  text: `SELECT * FROM "NotificationConfig" WHERE "organizationId" = $1::uuid AND placement IN ('', $2::text)`,
};

/** Opened Secrets kept per stored version of their row: a worker's organizations and namespaces, at most. */
const OPENED_SECRETS_CACHE_SIZE = 1000;

/** A Secret was applied, or must be read, while the control plane holds no key ring to seal it with. */
export class NotificationKeysMissingError extends Error {
  constructor() {
    super('the control plane has no notification key ring (NOTIFICATION_KEYS_FILE or NOTIFICATION_KEYS): it cannot store or read a Secret');
    this.name = 'NotificationKeysMissingError';
  }
}

const placementKey = (placement: NotificationPlacement): string => (placement ? `${placement.clusterId}/${placement.namespace}` : '');

const envelopeColumn = objectColumn<SecretEnvelope>(
  'NotificationConfig.secretEnvelope',
  ['keyId', 'nonce', 'ciphertext', 'tag'],
  z.object({ keyId: z.string(), nonce: z.string(), ciphertext: z.string(), tag: z.string() }),
);
const configDataColumn = stringMapColumn('NotificationConfig.configData');
const secretValuesShape = z.record(z.string(), z.string());

const recordOf = (row: NotificationConfig): NotificationConfigRecord => ({
  id: row.id,
  organizationId: row.organizationId,
  clusterId: row.clusterId,
  namespace: row.namespace,
  configData: configDataColumn.decode(row.configData),
  secretKeys: row.secretKeys,
  version: row.version,
  updatedAt: row.updatedAt,
});

/** The authenticated context of a row's envelope: a sealed Secret moved to another organization or placement does not open. */
const sealingContext = (row: Pick<NotificationConfig, 'organizationId' | 'placement'>): string =>
  `notification-secret/${row.organizationId}/${row.placement}`;

/**
 * Argo's notification ConfigMap and Secret, for the organization and for namespaces of its clusters. The Secret's
 * values are sealed as one AES-256-GCM envelope under the key ring's sealing key, and opened only to send.
 */
export class NotificationConfigStore {
  private readonly opened = new Map<string, Record<string, string>>();

  /**
   * @param deliveryReads where `forDelivery` reads, once per notification attempt: the worker's SQL pool, whose
   * prepared statement skips the Prisma client's per-query planning; the Prisma client's own connections otherwise.
   */
  constructor(
    private readonly database: DatabaseClient,
    private readonly keys: SecretBox | undefined,
    private readonly deliveryReads: SqlSession = prismaSession(database),
  ) {}

  /** Stores the ConfigMap's data for the placement; the Secret of that placement is left as it is. */
  async applyConfigMap(
    scope: OrganizationScope,
    transaction: Transaction,
    placement: NotificationPlacement,
    data: Record<string, string>,
    appliedBy: string,
  ): Promise<NotificationDocumentApplied> {
    const existing = await this.findRow(scope, transaction, placement);
    if (existing && jsonEqual(existing.configData, data)) return { action: 'Unchanged', record: recordOf(existing) };
    const columns = { configData: configDataColumn.encode(data), configAppliedBy: appliedBy };
    const row = existing
      ? await transaction.notificationConfig.update({ where: { id: existing.id }, data: { ...columns, version: { increment: 1 } } })
      : await transaction.notificationConfig.create({ data: { ...this.placementColumns(scope, placement), ...columns } });
    return { action: existing ? 'Updated' : 'Created', record: recordOf(row) };
  }

  /** Seals and stores the Secret's values for the placement, and says which keys changed (never how). */
  async applySecret(
    scope: OrganizationScope,
    transaction: Transaction,
    placement: NotificationPlacement,
    values: Record<string, string>,
    appliedBy: string,
  ): Promise<NotificationDocumentApplied & { keys: SecretKeysChanged }> {
    const keys = this.requireKeys();
    const existing = await this.findRow(scope, transaction, placement);
    const previous = existing ? this.openRow(keys, existing) : {};
    const changes = keyChanges(previous, values);
    const unchanged = changes.added.length + changes.changed.length + changes.removed.length === 0;
    if (existing && unchanged && existing.secretEnvelope !== null)
      return { action: 'Unchanged', record: recordOf(existing), keys: changes };
    const placementColumns = this.placementColumns(scope, placement);
    const envelope = keys.seal(JSON.stringify(values), sealingContext(placementColumns));
    const columns = {
      secretKeys: Object.keys(values).sort(),
      secretEnvelope: envelopeColumn.encode(envelope),
      secretKeyId: envelope.keyId,
      secretAppliedBy: appliedBy,
    };
    const row = existing
      ? await transaction.notificationConfig.update({ where: { id: existing.id }, data: { ...columns, version: { increment: 1 } } })
      : await transaction.notificationConfig.create({ data: { ...placementColumns, ...columns } });
    return { action: existing ? 'Updated' : 'Created', record: recordOf(row), keys: changes };
  }

  /** The organization's configuration and, when the subject lives in a namespace, that namespace's. */
  async inEffect(
    organizationId: string,
    placement: NotificationPlacement,
    transaction: Transaction = this.database,
  ): Promise<NotificationConfigsInEffect> {
    const rows = await transaction.notificationConfig.findMany({
      where: { organizationId, placement: { in: [...new Set(['', placementKey(placement)])] } },
    });
    const of = (key: string) => rows.find((row) => row.placement === key);
    return {
      organization: mapDefined(of(''), recordOf),
      namespace: placement ? mapDefined(of(placementKey(placement)), recordOf) : undefined,
    };
  }

  /** Whether any configuration of the organization subscribes objects by their labels (a `subscriptions` key). */
  async hasSubscriptionRules(organizationId: string): Promise<boolean> {
    const [row] = await this.database.$queryRaw<{ found: boolean }[]>`SELECT EXISTS (SELECT 1 FROM "NotificationConfig"
      WHERE "organizationId" = ${organizationId}::uuid AND jsonb_exists("configData", 'subscriptions')) AS found`;
    return row?.found === true;
  }

  /**
   * What a delivery of the subject is sent with, in one read: the configuration in effect (as `inEffect`) and the
   * Secret values of the organization and of the namespace, kept apart (a service reads those its origin may, as
   * `secretValuesFor` of `@flotilla/notifications` says). A Secret is opened once per stored version of its row and
   * kept so in this store's memory, not once per attempt. For the sender only: never log, store or answer the values.
   */
  async forDelivery(_scope: SystemScope, organizationId: string, placement: NotificationPlacement): Promise<NotificationDeliveryConfig> {
    const rows = await this.deliveryReads.query<NotificationConfig>(NOTIFICATION_CONFIGS_IN_EFFECT, [
      organizationId,
      placementKey(placement),
    ]);
    const organization = rows.find((row) => row.placement === '');
    const namespace = placement ? rows.find((row) => row.placement === placementKey(placement)) : undefined;
    return {
      configs: { organization: mapDefined(organization, recordOf), namespace: mapDefined(namespace, recordOf) },
      secrets: {
        organization: organization ? this.openedSecret(organization) : {},
        namespace: namespace ? this.openedSecret(namespace) : {},
      },
    };
  }

  /**
   * Rotation: seals again, under the sealing key, up to `limit` Secrets sealed under another key of the ring. Returns
   * how many it resealed (none without a key ring); once it returns 0 the old keys can leave the ring.
   */
  async reseal(_scope: SystemScope, limit = 100): Promise<number> {
    const keys = this.keys;
    if (!keys) return 0;
    // A Secret sealed under a key the ring no longer holds cannot be opened, here or when sending: it waits for its
    // Secret to be applied again, and does not hold up the rotation of everyone else's.
    const stale = await this.database.notificationConfig.findMany({
      where: { secretEnvelope: { not: { equals: null } }, secretKeyId: { in: keys.keyIds.filter((id) => id !== keys.sealingKeyId) } },
      take: limit,
    });
    let resealed = 0;
    for (const row of stale) {
      const context = sealingContext(row);
      const opened = openedOrUndefined(keys, envelopeColumn.decode(row.secretEnvelope), context);
      // One that fails authentication (altered) stays as it is, refused when sent, rather than stop the rotation.
      if (opened === undefined) continue;
      const envelope = keys.seal(opened, context);
      // Guarded by the version read: a Secret applied in between is sealed under the new key already.
      const { count } = await this.database.notificationConfig.updateMany({
        where: { id: row.id, version: row.version },
        data: { secretEnvelope: envelopeColumn.encode(envelope), secretKeyId: envelope.keyId },
      });
      resealed += count;
    }
    return resealed;
  }

  private findRow(
    scope: OrganizationScope,
    transaction: Transaction,
    placement: NotificationPlacement,
  ): Promise<NotificationConfig | null> {
    return transaction.notificationConfig.findUnique({
      where: { organizationId_placement: { organizationId: scope.organizationId, placement: placementKey(placement) } },
    });
  }

  private placementColumns(scope: OrganizationScope, placement: NotificationPlacement) {
    return {
      organizationId: scope.organizationId,
      clusterId: placement?.clusterId ?? null,
      namespace: placement?.namespace ?? null,
      placement: placementKey(placement),
    };
  }

  /** The row's Secret values, opened once per version of the row (a Secret applied again moves the version on). */
  private openedSecret(row: NotificationConfig): Record<string, string> {
    if (row.secretEnvelope === null) return {};
    const key = `${row.id}.v${row.version}`;
    const cached = this.opened.get(key);
    if (cached) return cached;
    const values = this.openRow(this.requireKeys(), row);
    if (this.opened.size >= OPENED_SECRETS_CACHE_SIZE) this.opened.delete(this.opened.keys().next().value ?? '');
    this.opened.set(key, values);
    return values;
  }

  private openRow(keys: SecretBox, row: NotificationConfig): Record<string, string> {
    if (row.secretEnvelope === null) return {};
    const text = keys.open(envelopeColumn.decode(row.secretEnvelope), sealingContext(row));
    return secretValuesShape.parse(JSON.parse(text));
  }

  private requireKeys(): SecretBox {
    if (!this.keys) throw new NotificationKeysMissingError();
    return this.keys;
  }
}

function mapDefined<T, R>(value: T | undefined, map: (value: T) => R): R | undefined {
  return value === undefined ? undefined : map(value);
}

/**
 * Which keys an apply of `next` adds, changes and removes against `previous`.
 * @example keyChanges({ a: '1', b: '2' }, { a: '1', b: '3', c: '4' }) → { added: ['c'], changed: ['b'], removed: [] }
 */
export function keyChanges(previous: Readonly<Record<string, string>>, next: Readonly<Record<string, string>>): SecretKeysChanged {
  const before = Object.keys(previous);
  const after = Object.keys(next);
  return {
    added: after.filter((key) => !(key in previous)).sort(),
    changed: after.filter((key) => key in previous && previous[key] !== next[key]).sort(),
    removed: before.filter((key) => !(key in next)).sort(),
  };
}

/** The envelope's plaintext, or undefined when it fails authentication. */
function openedOrUndefined(keys: SecretBox, envelope: SecretEnvelope, context: string): string | undefined {
  try {
    return keys.open(envelope, context);
  } catch (error) {
    if (error instanceof SecretEnvelopeError) return undefined;
    throw error;
  }
}
