import type { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';

/** A column's JSON could not be read as what it should hold. */
export class JsonColumnError extends Error {
  constructor(
    readonly column: string,
    readonly problem: string,
  ) {
    super(`${column}: ${problem}`);
    this.name = 'JsonColumnError';
  }
}

/**
 * How one JSON column is read and written, at the store boundary and nowhere else.
 * - `decode` reads a row the stores wrote themselves: a cheap check of its shape (an object with the keys every value
 *   has), so that the hot paths do not pay for a full validation of what they wrote a moment ago.
 * - `validate` reads what came from outside the stores (an import, a row written by an older release): it checks
 *   everything and names the path of the first problem.
 */
export interface JsonColumn<T> {
  readonly column: string;
  encode(value: T): Prisma.InputJsonValue;
  decode(json: Prisma.JsonValue): T;
  validate(json: Prisma.JsonValue): T;
}

/** An object column whose values always carry `requiredKeys`; `schema` is the full check. */
export function objectColumn<T extends object>(
  column: string,
  requiredKeys: readonly (keyof T & string)[],
  schema: z.ZodType<T>,
): JsonColumn<T> {
  return {
    column,
    encode: (value) => value,
    decode(json) {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new JsonColumnError(column, 'not an object');
      for (const key of requiredKeys) if (!(key in json)) throw new JsonColumnError(column, `no ${key}`);
      // The shape check above is what a row this store wrote is trusted with.
      return json as T;
    },
    validate(json) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw new JsonColumnError(column, issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid');
    },
  };
}
