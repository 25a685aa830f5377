import type { Builtin } from './builtins.js';
import { EvaluationFailure, typeMismatch } from './evaluation-failure.js';
import { parseDuration, parseTime, parseTimeWithDefaultLayouts, timeFromDate } from './time.js';
import { typeName } from './values.js';

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw typeMismatch(`${name}() expects string, got ${typeName(value)}`);
  return value;
}

/** expr-lang's time functions; `now()` reads the measurement's time, handed in, never the machine's clock. */
export const TIME_BUILTINS: Readonly<Record<string, Builtin>> = {
  now: {
    parameters: 0,
    apply: (_values, _closure, { now }) => {
      if (now === undefined) throw new EvaluationFailure('invalid-value', 'now() has no clock to read here');
      return timeFromDate(now);
    },
  },
  date: {
    parameters: 1,
    maxParameters: 3,
    apply: ([value, layout, zone]) => {
      const date = text('date', value);
      const location = zone === undefined ? undefined : text('date', zone);
      return layout === undefined ? parseTimeWithDefaultLayouts(date, location) : parseTime(date, text('date', layout), location);
    },
  },
  duration: { parameters: 1, apply: ([value]) => parseDuration(text('duration', value)) },
};
