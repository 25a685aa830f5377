import { followChanges } from '../api/follow-changes.js';
import { FLEET_RELEASE_CHANGED, FLEET_RELEASE_STATUS, type FleetReleaseReading } from '../api/fleet-queries.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { CommandContext } from '../cli/command.js';
import { humanDuration } from '../output/time.js';
import { releaseStatusLine, releaseVerdict } from './release-status.js';

const POLL_MS = 2000;

interface StatusData {
  fleetRollout: { name: string } | null;
  fleetRelease: FleetReleaseReading | null;
}

/** The FleetRollout as read, or not-found when the API answered null. */
export function foundFleetRollout<F>(name: string, fleetRollout: F | null): F {
  if (fleetRollout === null) throw new CliError(ExitCode.NotFound, `fleet/not_found: no FleetRollout named ${name}`);
  return fleetRollout;
}

/** The FleetRollout's release `number` (its current one when null), or not-found naming what is missing. */
export function foundRelease<R>(name: string, number: number | null, data: { fleetRollout: unknown; fleetRelease: R | null }): R {
  foundFleetRollout(name, data.fleetRollout);
  if (data.fleetRelease === null)
    throw new CliError(
      ExitCode.NotFound,
      number === null
        ? `fleet/not_found: FleetRollout ${name} has no release yet`
        : `fleet/not_found: FleetRollout ${name} has no release ${number}`,
      number === null ? [`start one with: flotilla fleet release ${name} --image CONTAINER=IMAGE`] : [],
    );
  return data.fleetRelease;
}

/** Reads the status of release `number` of a FleetRollout, its current release when null. */
export async function readReleaseStatus(context: CommandContext, name: string, number: number | null): Promise<FleetReleaseReading> {
  const data = await context.api().request<StatusData>(FLEET_RELEASE_STATUS, { name, number });
  return foundRelease(name, number, data);
}

/**
 * Waits until release `number` of a FleetRollout ends, printing a line for each distinct state with `print`: exit 0
 * once Succeeded; Halted, Aborted, RolledBack, Superseded and the timeout fail with exit 5, as `status` does.
 */
export async function waitForRelease(
  context: CommandContext,
  name: string,
  number: number,
  timeoutMs: number | undefined,
  print: (line: string) => void,
): Promise<ExitCode> {
  let last: FleetReleaseReading | undefined;
  let lastLine: string | undefined;
  const outcome = await followChanges({
    api: context.api(),
    changes: [{ document: FLEET_RELEASE_CHANGED, variables: { name } }],
    read: () => readReleaseStatus(context, name, number),
    onReading: (reading) => {
      last = reading;
      const line = releaseStatusLine(reading);
      if (line !== lastLine) print(line);
      lastLine = line;
      return releaseVerdict(reading.phase);
    },
    pollMs: POLL_MS,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    stopSignal: context.stopSignal,
  });
  const what = `release ${number} of fleet ${name}`;
  if (outcome.kind === 'timeout')
    throw new CliError(
      ExitCode.TimeoutOrDegraded,
      `timed out after ${humanDuration(timeoutMs ?? 0)} waiting for ${what} to succeed`,
      last ? [`it is ${releaseStatusLine(last)}`] : [],
    );
  if (outcome.kind === 'stopped') return ExitCode.Failure;
  if (outcome.exitCode !== ExitCode.Ok && last !== undefined) throw new CliError(outcome.exitCode, `${what} is ${releaseStatusLine(last)}`);
  return outcome.exitCode;
}
