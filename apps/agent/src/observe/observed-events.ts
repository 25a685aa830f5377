import { AGENT_MESSAGE_BOUNDS, type ObservedEvent } from '@flotilla/protocol';
import type { EventObject } from '../kube/kube-object.js';

/** When an Event last happened: its series' last time, else its last timestamp, its event time, its creation. */
function lastSeenOf(event: EventObject): string | undefined {
  const text = event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  const at = text === undefined || text === null ? Number.NaN : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/**
 * The Events to report of a rollout: the newest first (by name among equals, so that the same Events give the same
 * report), at most `AGENT_MESSAGE_BOUNDS.eventsPerObservation`; Events with no time or involved object are left out.
 * @example observedEvents([a SuccessfulCreate at 10:00, a BackOff at 10:02]) // [the BackOff, the SuccessfulCreate]
 */
export function observedEvents(events: EventObject[]): ObservedEvent[] {
  const reported: (ObservedEvent & { name: string })[] = [];
  for (const event of events) {
    const lastSeenAt = lastSeenOf(event);
    const { kind, name } = event.involvedObject;
    if (lastSeenAt === undefined || kind === undefined || name === undefined) continue;
    reported.push({
      name: event.metadata.name,
      type: event.type ?? 'Normal',
      reason: (event.reason ?? '').slice(0, AGENT_MESSAGE_BOUNDS.shortStringLength),
      message: event.message ?? '',
      count: event.series?.count ?? event.count ?? 1,
      lastSeenAt,
      involvedObject: { kind, name },
    });
  }
  reported.sort((left, right) => right.lastSeenAt.localeCompare(left.lastSeenAt) || left.name.localeCompare(right.name));
  return reported.slice(0, AGENT_MESSAGE_BOUNDS.eventsPerObservation).map(({ name: _name, ...event }) => event);
}
