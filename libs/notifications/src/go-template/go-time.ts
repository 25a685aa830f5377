const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A Go `time.Time` as templates see it (always UTC): `(call .time.Now).Format "2006-01-02"`, `.Unix`. */
export class GoTime {
  constructor(readonly date: Date) {}

  /** Go's `Time.String()`: `2026-12-05 08:00:00 +0000 UTC`. */
  toString(): string {
    const fraction = this.date.getUTCMilliseconds() === 0 ? '' : `.${pad(this.date.getUTCMilliseconds(), 3).replace(/0+$/, '')}`;
    return `${formatGoTime(this.date, '2006-01-02 15:04:05')}${fraction} +0000 UTC`;
  }
}

const CHUNKS = [
  'January',
  'Monday',
  '2006',
  'Jan',
  'Mon',
  'MST',
  'Z07:00',
  'Z0700',
  'Z07',
  '-07:00',
  '-0700',
  '-07',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '_2',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];
const FRACTION = /^[.,](0+|9+)(?![0-9])/;

/**
 * Formats a UTC time with a Go reference layout (`Mon Jan 2 15:04:05 MST 2006`).
 * @example formatGoTime(new Date('2026-12-05T08:04:05Z'), '2006-01-02T15:04:05Z07:00') // '2026-12-05T08:04:05Z'
 */
export function formatGoTime(date: Date, layout: string): string {
  let output = '';
  let index = 0;
  while (index < layout.length) {
    const rest = layout.slice(index);
    const fraction = FRACTION.exec(rest);
    if (fraction && /[0-9]$/.test(layout.slice(0, index))) {
      const digits = fraction[1] ?? '';
      const value = pad(date.getUTCMilliseconds(), 3).padEnd(9, '0').slice(0, digits.length);
      output += digits.startsWith('9') ? (value.replace(/0+$/, '') === '' ? '' : `.${value.replace(/0+$/, '')}`) : `${rest[0]}${value}`;
      index += fraction[0].length;
      continue;
    }
    const chunk = CHUNKS.find((candidate) => rest.startsWith(candidate));
    if (chunk === undefined) {
      output += rest[0];
      index += 1;
      continue;
    }
    output += formatChunk(date, chunk);
    index += chunk.length;
  }
  return output;
}

function formatChunk(date: Date, chunk: string): string {
  const hour = date.getUTCHours();
  switch (chunk) {
    case 'January':
      return MONTHS[date.getUTCMonth()] ?? '';
    case 'Jan':
      return (MONTHS[date.getUTCMonth()] ?? '').slice(0, 3);
    case 'Monday':
      return DAYS[date.getUTCDay()] ?? '';
    case 'Mon':
      return (DAYS[date.getUTCDay()] ?? '').slice(0, 3);
    case 'MST':
      return 'UTC';
    case 'Z07:00':
    case 'Z0700':
    case 'Z07':
      return 'Z';
    case '-07:00':
      return '+00:00';
    case '-0700':
      return '+0000';
    case '-07':
      return '+00';
    case '2006':
      return pad(date.getUTCFullYear(), 4);
    case '06':
      return pad(date.getUTCFullYear() % 100, 2);
    case '002':
      return pad(dayOfYear(date), 3);
    case '01':
      return pad(date.getUTCMonth() + 1, 2);
    case '1':
      return String(date.getUTCMonth() + 1);
    case '02':
      return pad(date.getUTCDate(), 2);
    case '_2':
      return String(date.getUTCDate()).padStart(2, ' ');
    case '2':
      return String(date.getUTCDate());
    case '15':
      return pad(hour, 2);
    case '03':
      return pad(hour % 12 || 12, 2);
    case '3':
      return String(hour % 12 || 12);
    case '04':
      return pad(date.getUTCMinutes(), 2);
    case '4':
      return String(date.getUTCMinutes());
    case '05':
      return pad(date.getUTCSeconds(), 2);
    case '5':
      return String(date.getUTCSeconds());
    case 'PM':
      return hour >= 12 ? 'PM' : 'AM';
    default:
      return hour >= 12 ? 'pm' : 'am';
  }
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Go's `time.RFC3339` and friends, as `.time.RFC3339`. */
export const GO_TIME_LAYOUTS: Readonly<Record<string, string>> = {
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC822: '02 Jan 06 15:04 MST',
  Kitchen: '3:04PM',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};
