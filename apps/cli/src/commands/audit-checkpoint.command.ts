import { CREATE_AUDIT_CHECKPOINT, NEWEST_AUDIT_CHECKPOINT, type AuditCheckpoint } from '../api/queries.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';

export const auditCheckpointCommand: Command = {
  path: ['audit', 'checkpoint'],
  synopsis: '[--new]',
  summary: 'Print the newest signed checkpoint of the audit chain, to keep elsewhere',
  details: [
    "A checkpoint is the control plane's Ed25519 signature over the chain's head. Keep its JSON (with -o json) where " +
      'whoever can write the database cannot: flotilla audit verify --checkpoint FILE then detects any rewrite up to it.',
  ],
  flags: [{ name: 'new', kind: 'boolean', description: 'sign the current head first (admin)' }],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output }) {
    invocation.atMostPositionals(0);
    let checkpoint: AuditCheckpoint | undefined;
    if (invocation.boolean('new')) {
      checkpoint = (await api().request<{ createAuditCheckpoint: AuditCheckpoint }>(CREATE_AUDIT_CHECKPOINT)).createAuditCheckpoint;
    } else {
      const newest = await api().request<{ auditCheckpoints: { nodes: AuditCheckpoint[]; signingEnabled: boolean } }>(
        NEWEST_AUDIT_CHECKPOINT,
      );
      checkpoint = newest.auditCheckpoints.nodes[0];
      if (checkpoint === undefined) {
        const why = newest.auditCheckpoints.signingEnabled
          ? 'none is signed yet: sign one with --new'
          : 'the control plane does not sign checkpoints (it has no AUDIT_SIGNING_KEY_FILE)';
        throw new CliError(ExitCode.NotFound, `no audit checkpoint: ${why}`);
      }
    }
    if (printedStructured(terminal, output, checkpoint)) return ExitCode.Ok;
    terminal.out(
      `Checkpoint at sequence ${checkpoint.sequence}, head ${checkpoint.headHash}\n` +
        `Signed ${checkpoint.signedAt} by key ${checkpoint.keyId}\n` +
        'Keep it elsewhere with: flotilla audit checkpoint -o json > checkpoint.json\n',
    );
    return ExitCode.Ok;
  },
};
