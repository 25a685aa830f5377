import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where every abuse and fault test of a run adds its figures; `scripts/test-summary.mjs` prints them after the run. */
export const ABUSE_REPORT_FILE = fileURLToPath(new URL('../../test-results/abuse-report.jsonl', import.meta.url));

/** What one fuzzer sent to one surface and how each input ended. */
export interface AbuseTally {
  surface: string;
  inputs: number;
  refusedCleanly: number;
  accepted: number;
  internalErrors: number;
  crashes: number;
}

/** Memory of a process before and after a load, in bytes. */
export interface MemoryFigures {
  /** What was measured, and across what: `API resident memory across …`. */
  measure: string;
  beforeBytes: number;
  afterBytes: number;
}

/** What the fault suite injected and what it found in the audit afterwards. */
export interface FaultTally {
  faults: number;
  releasesFinished: number;
  lostSteps: number;
  doubledSteps: number;
}

export type AbuseRecord = ({ kind: 'fuzz' } & AbuseTally) | ({ kind: 'memory' } & MemoryFigures) | ({ kind: 'faults' } & FaultTally);

const mebibytes = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** One line a person reads, the same in the test's output and in the run's closing summary. */
function describeAbuseRecord(record: AbuseRecord): string {
  switch (record.kind) {
    case 'fuzz':
      return `${record.surface}: ${record.inputs} inputs tried, ${record.refusedCleanly} refused cleanly, ${record.accepted} accepted, ${record.internalErrors} internal errors, ${record.crashes} crashes`;
    case 'memory':
      return `${record.measure}: ${mebibytes(record.beforeBytes)} before, ${mebibytes(record.afterBytes)} after`;
    case 'faults':
      return `fault suite: ${record.faults} faults injected, ${record.releasesFinished} releases finished, ${record.lostSteps} lost steps, ${record.doubledSteps} doubled steps`;
  }
}

/** Prints the record and keeps it, with its line, for the run's summary. */
export function reportAbuse(record: AbuseRecord): void {
  const line = describeAbuseRecord(record);
  process.stdout.write(`${line}\n`);
  mkdirSync(dirname(ABUSE_REPORT_FILE), { recursive: true });
  appendFileSync(ABUSE_REPORT_FILE, `${JSON.stringify({ ...record, line })}\n`);
}
