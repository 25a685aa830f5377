import { readFile } from 'node:fs/promises';
import type { AuditCheckpoint } from '../api/queries.js';
import { usageError } from '../cli/cli-error.js';

const STRING_FIELDS = ['organizationId', 'headHash', 'signedAt', 'keyId', 'publicKey', 'signature'] as const;

/** Reads a kept checkpoint: the JSON `flotilla audit checkpoint -o json` prints, or a node of `auditCheckpoints`. */
export async function readCheckpointFile(path: string): Promise<AuditCheckpoint> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw usageError(`--checkpoint ${path} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usageError(`--checkpoint ${path} holds no checkpoint object`);
  const record = parsed as Record<string, unknown>;
  const sequenceValid = Number.isInteger(record.sequence) && (record.sequence as number) >= 1;
  const missing = [...(sequenceValid ? [] : ['sequence']), ...STRING_FIELDS.filter((field) => typeof record[field] !== 'string')];
  if (missing.length > 0)
    throw usageError(`--checkpoint ${path} lacks ${missing.join(', ')}; keep the output of flotilla audit checkpoint -o json`);
  if (Number.isNaN(new Date(record.signedAt as string).getTime())) throw usageError(`--checkpoint ${path}: signedAt is not a time`);
  return {
    id: typeof record.id === 'string' ? record.id : '',
    organizationId: record.organizationId as string,
    sequence: record.sequence as number,
    headHash: record.headHash as string,
    signedAt: record.signedAt as string,
    keyId: record.keyId as string,
    publicKey: record.publicKey as string,
    signature: record.signature as string,
  };
}
