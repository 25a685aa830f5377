import { AUDIT_EVENTS, type AuditEvent, type PageInfo } from '../api/queries.js';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { age, parseSince } from '../output/time.js';

const DEFAULT_LIMIT = 50;

/**
 * The REASON cell: the actor's reason, and for an operation the engine refused, what it refused and why.
 * @example reasonText({ action: 'rollout.operation_refused', reason: null, after: { operation: 'promote', message: 'not paused' } })
 * // => 'promote refused: not paused'
 */
export function reasonText(event: Pick<AuditEvent, 'action' | 'reason' | 'after'>): string {
  const given = event.reason ?? '';
  if (event.action !== 'rollout.operation_refused' || typeof event.after !== 'object' || event.after === null) return given;
  const { operation, message } = event.after as { operation?: unknown; message?: unknown };
  const refusal = `${typeof operation === 'string' ? operation : 'operation'} refused${typeof message === 'string' ? `: ${message}` : ''}`;
  return given === '' ? refusal : `${given}; ${refusal}`;
}
const PAGE_LIMIT = 500;

export const auditCommand: Command = {
  path: ['audit'],
  synopsis: '[--actor ACTOR] [--action ACTION] [--since 1h|TIME] [--target NAME] [--limit N]',
  summary: 'Show the audit of the organization, newest first',
  flags: [
    { name: 'actor', kind: 'string', valueName: 'ACTOR', description: 'exact actor, such as token:ci or engine' },
    { name: 'action', kind: 'string', valueName: 'ACTION', description: 'exact action, or a prefix ending in ".", such as rollout.' },
    { name: 'since', kind: 'string', valueName: 'WHEN', description: 'a duration back from now (30m, 2h) or an ISO 8601 time' },
    { name: 'target', kind: 'string', valueName: 'NAME', description: 'exact target name, such as staging/shop/checkout' },
    { name: 'limit', kind: 'string', valueName: 'N', description: `at most N events (default ${DEFAULT_LIMIT})` },
  ],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const since = invocation.string('since');
    const from = since === undefined ? undefined : parseSince(since, now());
    if (since !== undefined && from === undefined)
      throw usageError(`--since takes a duration such as 2h or an ISO 8601 time, not "${since}"`);
    const limit = invocation.integer('limit', 1) ?? DEFAULT_LIMIT;
    const filter = {
      ...(invocation.string('actor') === undefined ? {} : { actor: invocation.string('actor') }),
      ...(invocation.string('action') === undefined ? {} : { action: invocation.string('action') }),
      ...(invocation.string('target') === undefined ? {} : { targetName: invocation.string('target') }),
      ...(from === undefined ? {} : { from: from.toISOString() }),
    };
    const events: AuditEvent[] = [];
    let after: string | null = null;
    while (events.length < limit) {
      const page: { auditEvents: { nodes: AuditEvent[]; pageInfo: PageInfo } } = await api().request(AUDIT_EVENTS, {
        filter,
        page: { first: Math.min(PAGE_LIMIT, limit - events.length), after },
      });
      events.push(...page.auditEvents.nodes);
      if (!page.auditEvents.pageInfo.hasNextPage) break;
      after = page.auditEvents.pageInfo.endCursor;
    }
    if (printedStructured(terminal, output, events)) return ExitCode.Ok;
    if (events.length === 0) {
      terminal.out('No audit events match.\n');
      return ExitCode.Ok;
    }
    const wide = output === 'wide';
    const headers = ['AGE', 'ACTOR', 'ACTION', 'TARGET', 'REASON', ...(wide ? ['SEQUENCE', 'TIME', 'REQUEST'] : [])];
    const rows = events.map((event) => [
      age(event.occurredAt, now()),
      event.actor,
      event.action,
      `${event.targetType} ${event.targetName}`,
      reasonText(event),
      ...(wide ? [String(event.sequence), event.occurredAt, event.requestId ?? ''] : []),
    ]);
    terminal.out(formatTable(headers, rows));
    return ExitCode.Ok;
  },
};
