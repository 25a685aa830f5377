import { z } from 'zod';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An object read as Go's `encoding/json` reads a struct, as Argo reads service settings: a field matches its name
 * exactly or else in any case (`apiUrl` and `apiURL` are one field), and fields it does not know are ignored.
 * @example goStruct({ apiUrl: z.string() }).parse({ apiURL: 'https://grafana.example.com/api' }) // { apiUrl: '…' }
 */
export function goStruct<Shape extends z.ZodRawShape>(shape: Shape) {
  const byLowerCase = new Map(Object.keys(shape).map((name) => [name.toLowerCase(), name]));
  const canonical = (value: unknown): unknown => {
    if (!isPlainObject(value)) return value;
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const name = byLowerCase.get(key.toLowerCase());
      if (name !== undefined && (key === name || !(name in value))) fields[name] = field;
    }
    return fields;
  };
  return z.preprocess(canonical, z.object(shape));
}

/** A Go `bool`; a `$secret-key` reference stands for it as its text (`"true"`). */
export const goBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]);

/** A Go `int`, or its text. */
export const goInt = z.union([z.number().int(), z.string().regex(/^\d+$/, 'expected an integer').transform(Number)]);

/** A non-empty Go `string`. */
export const requiredText = z.string().min(1, 'must not be empty');

/** A Go `interface{}` field Argo reads as a number or a string (GitHub's `appID`), as text. */
export const numberOrText = z.union([z.number().int(), requiredText]).transform(String);

/** A map of names to non-empty strings (`recipientUrls`, `serviceKeys`, `apiKeys`). */
export const textMap = z.record(z.string(), requiredText);
