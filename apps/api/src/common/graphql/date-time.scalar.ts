import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// Four-digit years keep every accepted date inside what both JavaScript and Postgres timestamps can hold.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an ISO-8601 date-time with its offset, such as `2019-12-03T09:54:33Z`; anything else, an impossible date
 * such as `2025-02-30T00:00:00Z` included, is refused as invalid input.
 */
export function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (match && isCalendarDate(match) && isClockTime(match)) return new Date(match[0]);
  throw new GraphQLError('a DateTime must be an ISO-8601 date-time with an offset, such as 2019-12-03T09:54:33Z', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

function isCalendarDate([, year, month, day]: RegExpExecArray): boolean {
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  return Number(year) >= 1 && Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth;
}

function isClockTime(match: RegExpExecArray): boolean {
  const [hour, minute, second] = [match[4], match[5], match[6]].map(Number) as [number, number, number];
  const offset = match[8] as string;
  return (
    hour <= 23 && minute <= 59 && second <= 59 && (offset === 'Z' || (Number(offset.slice(1, 3)) <= 23 && Number(offset.slice(4)) <= 59))
  );
}

export const DateTimeScalar = new GraphQLScalarType<Date, string | null>({
  name: 'DateTime',
  description: 'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  parseValue: parseDateTime,
  serialize: (value) => (value instanceof Date ? value.toISOString() : null),
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined),
});
