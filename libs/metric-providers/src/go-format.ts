/**
 * A float as Go's `strconv.FormatFloat(f, 'f', -1, 64)` writes it (and Prometheus' `SampleValue.String()`):
 * the shortest digits that round-trip, never an exponent; `NaN`, `+Inf`, `-Inf` for the special values.
 * @example goFloat(1e21) // '1000000000000000000000'; goFloat(1.5e-7) // '0.00000015'; goFloat(Infinity) // '+Inf'
 */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const shortest = String(value);
  const exponentForm = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!exponentForm) return shortest;
  const [, sign = '', lead = '', fraction = '', exponentText = '0'] = exponentForm;
  const digits = lead + fraction;
  const point = 1 + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A value as Go's `fmt.Sprint` writes an `[]interface{}` or `[][]float64`: `[a b c]`.
 * @example goSprint([0.5, [1, 2], 'up']) // '[0.5 [1 2] up]'
 */
export function goSprint(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goSprint).join(' ')}]`;
  if (typeof value === 'number') return goFloatG(value);
  return String(value);
}

/**
 * A float as Go's `%v` writes it: the shortest digits, in exponent form when the exponent is below -4
 * or at least 6 (`strconv.FormatFloat(f, 'g', -1, 64)`).
 * @example goFloatG(1234567) // '1.234567e+06'; goFloatG(0.25) // '0.25'
 */
export function goFloatG(value: number): string {
  if (!Number.isFinite(value)) return goFloat(value);
  if (value === 0) return '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return goFloat(value);
}

/** A query component as Go's `url.QueryEscape` writes it: only letters, digits and `-_.~` stay as they are, a space is `+`. */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Query parameters as Go's `url.Values.Encode()` writes them: sorted by name, escaped with `goQueryEscape`.
 * @example goEncodeQuery([['to', '2'], ['query', 'avg:cpu{*}']]) // 'query=avg%3Acpu%7B%2A%7D&to=2'
 */
export function goEncodeQuery(parameters: Iterable<readonly [string, string]>): string {
  return [...parameters]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([name, value]) => `${goQueryEscape(name)}=${goQueryEscape(value)}`)
    .join('&');
}
