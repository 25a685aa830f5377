import { stringify } from 'yaml';
import type {
  NotificationRendering,
  NotificationTemplateRow,
  NotificationTriggerEvaluation,
  NotificationTriggerRow,
  SentNotification,
} from '../api/notification-queries.js';
import { usageError } from '../cli/cli-error.js';
import { formatTable } from '../output/table.js';
import type { Styles } from '../output/terminal.js';

const PREVIEW_LENGTH = 60;

/**
 * The first line of a template's message (or title), cut to fit a column.
 * @example templatePreview({ message: 'Rollout {{.rollout.metadata.name}} has been completed.\n', … }) // 'Rollout {{.rollout.metadata.name}} has been completed.'
 */
export function templatePreview(template: Pick<NotificationTemplateRow, 'message' | 'title'>): string {
  const line = (template.message ?? template.title ?? '').trim().split('\n')[0] ?? '';
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 3)}...` : line;
}

/** `template get`'s table: NAME and PREVIEW as Argo prints them; wide adds where each comes from and its services. */
export function renderTemplateTable(templates: readonly NotificationTemplateRow[], wide: boolean): string {
  if (!wide)
    return formatTable(
      ['NAME', 'PREVIEW'],
      templates.map((template) => [template.name, templatePreview(template)]),
    );
  return formatTable(
    ['NAME', 'LAYER', 'SERVICES', 'PREVIEW'],
    templates.map((template) => [
      template.name,
      template.layer,
      Object.keys(template.fields).sort().join(',') || '-',
      templatePreview(template),
    ]),
  );
}

/** `trigger get`'s table: NAME, TEMPLATE and CONDITION as Argo prints them, a trigger's conditions joined; wide adds its layer. */
export function renderTriggerTable(triggers: readonly NotificationTriggerRow[], wide: boolean): string {
  const cells = (trigger: NotificationTriggerRow): string[] => [
    [...new Set(trigger.conditions.flatMap((condition) => condition.send))].join(', '),
    trigger.conditions
      .map((condition) => condition.when ?? '')
      .filter((when) => when !== '')
      .join(', ') || '-',
  ];
  return wide
    ? formatTable(
        ['NAME', 'LAYER', 'TEMPLATE', 'CONDITION'],
        triggers.map((trigger) => [trigger.name, trigger.layer, ...cells(trigger)]),
      )
    : formatTable(
        ['NAME', 'TEMPLATE', 'CONDITION'],
        triggers.map((trigger) => [trigger.name, ...cells(trigger)]),
      );
}

/** `trigger run`'s table: each condition and its result, as Argo prints them; wide adds the templates each would send. */
export function renderEvaluation(evaluation: NotificationTriggerEvaluation, style: Styles, wide: boolean): string {
  const result = (condition: NotificationTriggerEvaluation['conditions'][number]): string =>
    condition.error !== null ? style.red(`error: ${condition.error}`) : condition.holds ? style.green('true') : 'false';
  const rows = evaluation.conditions.map((condition) => [
    condition.when ?? '(always)',
    result(condition),
    ...(wide ? [condition.send.join(', ')] : []),
  ]);
  return formatTable(['CONDITION', 'RESULT', ...(wide ? ['SEND'] : [])], rows);
}

/** A rendered template as `template notify` prints it without recipients: the message, the title, then each service's block. */
export function renderRendering(rendering: NotificationRendering, style: Styles): string {
  const lines = [`${style.bold('message')}: ${rendering.message.trimEnd()}`];
  if (rendering.title !== null) lines.push(`${style.bold('title')}: ${rendering.title.trimEnd()}`);
  for (const [type, block] of Object.entries(rendering.fields).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`${style.bold(type)}:`, stringify(block).trimEnd().replace(/^/gm, '  '));
  return `${lines.join('\n')}\n`;
}

/** What `template notify --recipient` stored, one line per recipient. */
export function renderSent(deliveries: readonly SentNotification[], style: Styles): string {
  const state = (delivery: SentNotification): string =>
    delivery.state === 'Pending'
      ? 'queued'
      : delivery.state === 'Muted'
        ? style.yellow('muted')
        : style.red(`not sent: ${delivery.lastError ?? delivery.state}`);
  return formatTable(
    ['RECIPIENT', 'STATE', 'DELIVERY'],
    deliveries.map((delivery) => [
      delivery.recipient === '' ? delivery.service : `${delivery.service}:${delivery.recipient}`,
      state(delivery),
      delivery.id,
    ]),
  );
}

/**
 * Reads `--recipient` values as Argo writes them: `service:recipient`, or `service` alone for a service that takes none.
 * @example parseRecipients(['slack:releases', 'webhook']) // [{ service: 'slack', recipient: 'releases' }, { service: 'webhook', recipient: '' }]
 */
export function parseRecipients(values: readonly string[]): { service: string; recipient: string }[] {
  return values.map((value) => {
    const colon = value.indexOf(':');
    const service = colon < 0 ? value : value.slice(0, colon);
    if (service === '') throw usageError(`--recipient takes SERVICE:RECIPIENT, not "${value}"`);
    return { service, recipient: colon < 0 ? '' : value.slice(colon + 1) };
  });
}
