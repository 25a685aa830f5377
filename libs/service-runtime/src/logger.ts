import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger per process; components take children of it with their own bindings. Commands whose
 * standard output is their result log to standard error (`output: 'stderr'`).
 */
export function createLogger(name: string, level: string, output: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options = { name, level, base: { service: name }, redact: ['*.authorization', '*.token', '*.password'] };
  return output === 'stdout' ? pino(options) : pino(options, pino.destination({ fd: 2, sync: true }));
}
