const PROBE_TIMEOUT_MS = 2000;

/** A dependency's answer to a readiness probe, or a rejection naming it when it does not answer in time. */
export function probe<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs every probe at once: `ok` for each that answered, the reason for each that did not. */
export async function probeAll(
  probes: Record<string, () => Promise<unknown>>,
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const names = Object.keys(probes);
  const outcomes = await Promise.allSettled(names.map((name) => probe((probes[name] as () => Promise<unknown>)(), name)));
  const checks: Record<string, string> = {};
  outcomes.forEach((outcome, index) => {
    checks[names[index] as string] = outcome.status === 'fulfilled' ? 'ok' : String(outcome.reason);
  });
  return { ready: outcomes.every((outcome) => outcome.status === 'fulfilled'), checks };
}
