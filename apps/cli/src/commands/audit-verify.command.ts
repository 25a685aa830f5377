import { AUDIT_CHAIN, type AuditCheckpoint, type ChainedAuditEventRow, type PageInfo } from '../api/queries.js';
import { checkpointSignatureValid, verifyWholeChain } from '../audit/chain-check.js';
import { readCheckpointFile } from '../audit/checkpoint-file.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { ApiClient } from '../api/api-client.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';

const PAGE_SIZE = 500;

interface ChainReport {
  valid: true;
  checkedEvents: number;
  checkpoint: { sequence: number; keyId: string; signedAt: string } | null;
}

/** Every audit event of the token's organization, oldest first, its strings as sent since they are hashed. */
async function wholeChain(api: ApiClient): Promise<ChainedAuditEventRow[]> {
  const newestFirst: ChainedAuditEventRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { auditEvents: { nodes: ChainedAuditEventRow[]; pageInfo: PageInfo } } = await api.request(
      AUDIT_CHAIN,
      { page: { first: PAGE_SIZE, after } },
      'as-sent',
    );
    newestFirst.push(...page.auditEvents.nodes);
    if (!page.auditEvents.pageInfo.hasNextPage) return newestFirst.reverse();
    after = page.auditEvents.pageInfo.endCursor;
  }
}

const mismatch = (message: string, details: string[] = []): CliError => new CliError(ExitCode.AuditMismatch, message, details);

/** Fails unless the kept checkpoint is signed by its key and the chain holds its head at its sequence. */
function checkCheckpoint(checkpoint: AuditCheckpoint, events: readonly ChainedAuditEventRow[]): void {
  if (!checkpointSignatureValid(checkpoint))
    throw mismatch(`the checkpoint at sequence ${checkpoint.sequence} does not verify with its public key (key ${checkpoint.keyId})`);
  const organizationId = events[0]?.organizationId;
  if (organizationId !== checkpoint.organizationId)
    throw mismatch(
      `the checkpoint is of organization ${checkpoint.organizationId}, the token's audit is of ${organizationId ?? 'no organization'}`,
    );
  const event = events[checkpoint.sequence - 1];
  if (event === undefined)
    throw mismatch(
      `the audit chain ends at sequence ${events.length}, before the checkpoint's sequence ${checkpoint.sequence}: events were removed`,
    );
  if (event.hash !== checkpoint.headHash) {
    throw mismatch(`the audit chain does not match the checkpoint at sequence ${checkpoint.sequence}: it was rewritten up to there`, [
      `event ${checkpoint.sequence} has hash ${event.hash}`,
      `the checkpoint signed ${checkpoint.headHash} on ${checkpoint.signedAt}`,
    ]);
  }
}

export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  synopsis: '[--checkpoint FILE]',
  summary: 'Recompute the audit hash chain, and check it against a kept signed checkpoint',
  details: [
    'Fetches every audit event of the organization and recomputes each hash from its content and the hash before it. ' +
      'A rewrite that recomputes every hash after it is consistent and passes that check alone: with --checkpoint, the ' +
      'signature of a checkpoint kept elsewhere (flotilla audit checkpoint -o json > FILE) is verified with the public key in ' +
      'the file, and the chain must hold the signed head at its sequence.',
    `Exits 0 when intact, ${ExitCode.AuditMismatch} when the chain is broken or does not match the checkpoint, naming the first bad sequence.`,
  ],
  flags: [
    {
      name: 'checkpoint',
      kind: 'string',
      valueName: 'FILE',
      description: 'a checkpoint kept elsewhere, as printed by flotilla audit checkpoint -o json',
    },
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output }) {
    invocation.atMostPositionals(0);
    const checkpointFile = invocation.string('checkpoint');
    const checkpoint = checkpointFile === undefined ? undefined : await readCheckpointFile(checkpointFile);
    const events = await wholeChain(api());
    const verdict = verifyWholeChain(events);
    if (!verdict.ok) throw mismatch(`the audit chain is broken at sequence ${verdict.sequence}: ${verdict.reason}`);
    if (checkpoint !== undefined) checkCheckpoint(checkpoint, events);
    const report: ChainReport = {
      valid: true,
      checkedEvents: events.length,
      checkpoint:
        checkpoint === undefined ? null : { sequence: checkpoint.sequence, keyId: checkpoint.keyId, signedAt: checkpoint.signedAt },
    };
    if (printedStructured(terminal, output, report)) return ExitCode.Ok;
    terminal.out(`✔ the audit chain is intact: ${events.length} event${events.length === 1 ? '' : 's'}\n`);
    if (checkpoint !== undefined)
      terminal.out(
        `✔ it holds the checkpoint at sequence ${checkpoint.sequence}, signed ${checkpoint.signedAt} by key ${checkpoint.keyId}\n`,
      );
    return ExitCode.Ok;
  },
};
