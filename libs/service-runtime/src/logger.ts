import { pino, type Logger } from 'pino';

export type { Logger };

/** One structured logger per process; components take children of it with their own bindings. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, base: { service: name }, redact: ['*.authorization', '*.token', '*.password'] });
}
