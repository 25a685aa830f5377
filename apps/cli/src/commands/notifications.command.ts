import {
  EVALUATE_NOTIFICATION_TRIGGER,
  NOTIFICATION_TEMPLATES,
  NOTIFICATION_TRIGGERS,
  RENDER_NOTIFICATION_TEMPLATE,
  SEND_NOTIFICATION,
  type NotificationRendering,
  type NotificationTemplateRow,
  type NotificationTriggerEvaluation,
  type NotificationTriggerRow,
  type SentNotification,
} from '../api/notification-queries.js';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import {
  parseRecipients,
  renderEvaluation,
  renderRendering,
  renderSent,
  renderTemplateTable,
  renderTriggerTable,
} from '../notifications/notification-view.js';
import { printedStructured } from '../output/structured.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS, rolloutLocation } from '../rollouts/rollout-lookup.js';

const PLACE_DETAILS =
  "The configuration is the one in effect in the namespace of --cluster and --namespace (or the current context's): Argo's " +
  "defaults, the organization's, then the namespace's. Without a cluster, the organization's.";

/** Where `template get` and `trigger get` read the configuration: a namespace of a cluster, or the organization. */
function configurationPlace(context: CommandContext): { cluster?: string; namespace?: string; where: string } {
  const { cluster, namespace } = rolloutLocation(context);
  if (cluster === undefined) return { where: 'the organization' };
  if (namespace === undefined) throw usageError(`a namespace of cluster ${cluster} is needed: pass --namespace`);
  return { cluster, namespace, where: `${cluster}/${namespace}` };
}

/** The rows of a listing, or only the one named; a name that is not there ends the command with NotFound. */
function selected<T extends { name: string }>(rows: readonly T[], name: string | undefined, kind: string, where: string): T[] {
  if (name === undefined) return [...rows];
  const found = rows.filter((row) => row.name === name);
  if (found.length === 0) throw new CliError(ExitCode.NotFound, `notification/${kind}_not_found: no ${kind} named ${name} in ${where}`);
  return found;
}

interface ConfigurationGetSpec<T extends { name: string }, F extends string> {
  kind: 'template' | 'trigger';
  summary: string;
  /** What -o json|yaml prints of each row, said in --help. */
  structuredDetail: string;
  /** A query over `$cluster` and `$namespace` whose one field is the listing. */
  document: string;
  field: F;
  renderTable(rows: T[], wide: boolean): string;
}

/** `notifications KIND get [NAME]`: the rows of one kind in effect at the configuration place, or the one named. */
function configurationGetCommand<T extends { name: string }, F extends string>(spec: ConfigurationGetSpec<T, F>): Command {
  return {
    path: ['notifications', spec.kind, 'get'],
    synopsis: '[NAME] [--cluster CLUSTER] [--namespace NAMESPACE]',
    summary: spec.summary,
    details: [PLACE_DETAILS, spec.structuredDetail],
    flags: [...ROLLOUT_LOCATION_FLAGS],
    outputs: ['json', 'yaml', 'wide'],
    online: true,
    async run(context) {
      const { invocation, terminal, output } = context;
      invocation.atMostPositionals(1);
      const place = configurationPlace(context);
      const data = await context.api().request<Record<F, T[]>>(spec.document, {
        cluster: place.cluster ?? null,
        namespace: place.namespace ?? null,
      });
      const rows = selected(data[spec.field], invocation.positionals[0], spec.kind, place.where);
      if (printedStructured(terminal, output, rows)) return ExitCode.Ok;
      terminal.out(spec.renderTable(rows, output === 'wide'));
      return ExitCode.Ok;
    },
  };
}

export const notificationTemplateGetCommand = configurationGetCommand<NotificationTemplateRow, 'notificationTemplates'>({
  kind: 'template',
  summary: 'List the notification templates in effect (NAME, PREVIEW), or show one',
  structuredDetail: 'With -o json|yaml each template is printed as written: message, title and per-service blocks.',
  document: NOTIFICATION_TEMPLATES,
  field: 'notificationTemplates',
  renderTable: renderTemplateTable,
});

export const notificationTemplateNotifyCommand: Command = {
  path: ['notifications', 'template', 'notify'],
  synopsis: 'NAME ROLLOUT [--recipient SERVICE:RECIPIENT]... [--cluster CLUSTER] [--namespace NAMESPACE]',
  summary: 'Render a template over a rollout and print it, or send it to each --recipient',
  details: [
    "Without --recipient the rendering is printed (Argo's console:stdout): the message, the title and each service's block.",
    'With --recipient (deployer) one notification per recipient is stored in the outbox under the trigger on-demand and',
    'delivered by the workers as any other: mutes in effect and the organization bound apply, and it is audited.',
  ],
  flags: [
    {
      name: 'recipient',
      kind: 'string',
      repeatable: true,
      valueName: 'SERVICE:RECIPIENT',
      description: 'a configured service and its recipient, such as slack:releases',
    },
    ...ROLLOUT_LOCATION_FLAGS,
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const template = invocation.positional(0, 'the template NAME');
    const name = invocation.positional(1, 'the ROLLOUT');
    invocation.atMostPositionals(2);
    const recipients = parseRecipients(invocation.strings('recipient'));
    const rollout = await resolveRolloutRef(context, name);
    if (recipients.length === 0) {
      const { renderNotificationTemplate } = await context
        .api()
        .request<{ renderNotificationTemplate: NotificationRendering }>(RENDER_NOTIFICATION_TEMPLATE, { template, rollout });
      if (!printedStructured(terminal, output, renderNotificationTemplate))
        terminal.out(renderRendering(renderNotificationTemplate, terminal.style));
      return ExitCode.Ok;
    }
    const { sendNotification } = await context
      .api()
      .request<{ sendNotification: SentNotification[] }>(SEND_NOTIFICATION, { template, rollout, recipients });
    if (!printedStructured(terminal, output, sendNotification)) terminal.out(renderSent(sendNotification, terminal.style));
    return sendNotification.every((delivery) => delivery.state === 'Pending') ? ExitCode.Ok : ExitCode.Failure;
  },
};

export const notificationTriggerGetCommand = configurationGetCommand<NotificationTriggerRow, 'notificationTriggers'>({
  kind: 'trigger',
  summary: 'List the notification triggers in effect (NAME, TEMPLATE, CONDITION), or show one',
  structuredDetail: 'With -o json|yaml each trigger is printed with its conditions: when, send, oncePer and description.',
  document: NOTIFICATION_TRIGGERS,
  field: 'notificationTriggers',
  renderTable: renderTriggerTable,
});

export const notificationTriggerRunCommand: Command = {
  path: ['notifications', 'trigger', 'run'],
  synopsis: 'NAME ROLLOUT [--cluster CLUSTER] [--namespace NAMESPACE]',
  summary: "Evaluate a trigger's conditions over a rollout as it is now and print each result (sends nothing)",
  details: ['A condition that reads .event (set only when an event fires the trigger) cannot be evaluated here and shows its error.'],
  flags: [...ROLLOUT_LOCATION_FLAGS],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const trigger = invocation.positional(0, 'the trigger NAME');
    const name = invocation.positional(1, 'the ROLLOUT');
    invocation.atMostPositionals(2);
    const rollout = await resolveRolloutRef(context, name);
    const { evaluateNotificationTrigger } = await context
      .api()
      .request<{ evaluateNotificationTrigger: NotificationTriggerEvaluation }>(EVALUATE_NOTIFICATION_TRIGGER, { trigger, rollout });
    if (!printedStructured(terminal, output, evaluateNotificationTrigger))
      terminal.out(renderEvaluation(evaluateNotificationTrigger, terminal.style, output === 'wide'));
    return ExitCode.Ok;
  },
};

export const notificationCommands: readonly Command[] = [
  notificationTemplateGetCommand,
  notificationTemplateNotifyCommand,
  notificationTriggerGetCommand,
  notificationTriggerRunCommand,
];
