import { useEffect } from 'react';
import type { RolloutRef } from '../api/documents.js';
import { graphql, type ResultOf } from '../api/graphql.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { ColumnHeads } from '../shared/column-heads.js';

/** The newest deliveries of a rollout's notifications: the page shows this many. */
const SHOWN_DELIVERIES = 50;
const PENDING_REFRESH_MS = 2_000;

export const ROLLOUT_NOTIFICATION_DELIVERIES = graphql(`
  query RolloutNotificationDeliveries($rollout: RolloutRef!, $first: Int!) {
    notificationDeliveries(filter: { rollout: $rollout }, page: { first: $first }) {
      nodes {
        id
        trigger
        service
        serviceType
        recipient
        state
        attempts
        lastError
        createdAt
        deliveredAt
      }
    }
  }
`);

type NotificationDelivery = ResultOf<typeof ROLLOUT_NOTIFICATION_DELIVERIES>['notificationDeliveries']['nodes'][number];

/**
 * The notifications the rollout's state changes decided, newest first, and how their delivery went; refreshed while
 * any is still pending (attempts happen without a rollout change), left out for a rollout that never notified.
 */
export function NotificationDeliveries({ rollout, changeCount }: { rollout: RolloutRef; changeCount: number }) {
  const query = useGraphqlQuery(ROLLOUT_NOTIFICATION_DELIVERIES, { rollout, first: SHOWN_DELIVERIES });
  const { reload } = query;
  const deliveries = query.data?.notificationDeliveries.nodes ?? [];
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  useInterval(
    reload,
    PENDING_REFRESH_MS,
    deliveries.some((delivery) => delivery.state === 'Pending'),
  );

  if (deliveries.length === 0 && !query.error) return null;
  return (
    <section className="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <RequestError error={query.error} what="the notification deliveries" />
      <table>
        <ColumnHeads names={['Trigger', 'Service', 'Recipient', 'State', 'Attempts', 'Last error', 'Time']} />
        <tbody>
          {deliveries.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DeliveryRow({ delivery }: { delivery: NotificationDelivery }) {
  const time = delivery.deliveredAt ?? delivery.createdAt;
  return (
    <tr data-delivery={delivery.id}>
      <td>{delivery.trigger}</td>
      <td>
        {delivery.service}
        {delivery.service === delivery.serviceType ? null : <span className="muted"> ({delivery.serviceType})</span>}
      </td>
      <td>{delivery.recipient}</td>
      <td>
        <PhaseBadge phase={delivery.state} />
      </td>
      <td data-testid="delivery-attempts">{delivery.attempts}</td>
      <td>{delivery.lastError}</td>
      <td>
        <time dateTime={time} title={delivery.deliveredAt ? 'delivered' : 'decided'}>
          {formatTime(time)}
        </time>
      </td>
    </tr>
  );
}
