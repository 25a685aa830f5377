import { z } from 'zod';
import { objectColumn, type JsonColumn } from '../scope/json-column.js';

/**
 * A full check for a JSON column whose TypeScript type is too big to restate in zod: `shape` checks what the stores
 * and the engines rely on (top-level keys and their kinds, `looseObject` keeping the rest), and reports its issues
 * under their paths; the value is then taken as a `T`.
 */
export function shapedAs<T>(shape: z.ZodType): z.ZodType<T> {
  return z.custom<T>().superRefine((value, context) => {
    const parsed = shape.safeParse(value);
    if (!parsed.success)
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
}

/** Any JSON object: the deep parts of a shape checked only for being one. */
export const anyObject = z.looseObject({});

/** `metadata.labels` or `metadata.annotations`. */
export const stringMapColumn = (column: string): JsonColumn<Record<string, string>> =>
  objectColumn(column, [], z.record(z.string(), z.string()));
