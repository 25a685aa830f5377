import { ConfigurationError } from './errors.js';
import type { Logger } from './logger.js';

/** Runs one part of stopping, under a name that the forced exit reports while it is still running. */
export type StopStep = <T>(name: string, work: () => Promise<T>) => Promise<T | undefined>;

/**
 * Stops the process on SIGTERM or SIGINT: `stop` closes what the process holds, and the process exits 0 once it
 * is done. Whatever `stop` is still waiting for after `graceMs`, the process then exits 1 anyway, logging what
 * that was, so that it is gone before its supervisor's own deadline (Kubernetes' is 30 s by default).
 */
export function stopOnSignals(logger: Logger, graceMs: number, stop: (step: StopStep) => Promise<void>): void {
  const pending = new Set<string>();
  const step: StopStep = async (name, work) => {
    pending.add(name);
    try {
      return await work();
    } catch (error) {
      logger.warn({ err: error, step: name }, 'stopping step failed');
      return undefined;
    } finally {
      pending.delete(name);
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal, graceSeconds: graceMs / 1000 }, 'stopping');
    setTimeout(() => {
      logger.error({ waitingFor: [...pending] }, 'grace period over; exiting without waiting further');
      process.exit(1);
    }, graceMs).unref();
    stop(step).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * A promise nobody waited for that failed is logged and the process goes on: each job, sweep and request handles
 * its own failures, so a stray one is a lost piece of work that the next sweep redoes, not a reason to stop.
 */
export function surviveUnhandledRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => logger.error({ err: reason }, 'unhandled promise rejection'));
}

/**
 * With `--check-config` among its arguments, the process stops here, exit code 0, once its configuration has been
 * read and found valid (an invalid one has already stopped it): a deployment can check its environment this way
 * without the process connecting to anything.
 */
export function exitIfOnlyCheckingConfig(processName: string, argv: readonly string[] = process.argv): void {
  if (!argv.includes('--check-config')) return;
  process.stdout.write(`${processName}: configuration is valid\n`);
  process.exit(0);
}

/**
 * Runs what reads the process's configuration (or builds something from it at start). A ConfigurationError stops
 * the process as a usage error: its problems on stderr under the process's name, one a line, no stack trace, exit
 * code 2. Any other error is thrown on.
 * @example configuredOrExit('api', () => loadApiConfig()) // METRICS_PORT=abc: exits 2, printing
 * // invalid api configuration:
 * //   - METRICS_PORT must be an integer of at least 0, got "abc"
 */
export function configuredOrExit<T>(processName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    exitOnConfigurationError(processName, error);
    throw error;
  }
}

/** Stops the process as configuredOrExit does when `error` is a ConfigurationError; returns otherwise. */
export function exitOnConfigurationError(processName: string, error: unknown): void {
  if (!(error instanceof ConfigurationError)) return;
  process.stderr.write(`invalid ${processName} configuration:\n${error.problems.map((problem) => `  - ${problem}\n`).join('')}`);
  process.exit(2);
}
