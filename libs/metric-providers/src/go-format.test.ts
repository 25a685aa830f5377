import { describe, expect, it } from 'vitest';
import { goEncodeQuery, goFloat, goFloatG, goSprint } from './go-format.js';

describe('Go number formats', () => {
  it.each([
    [0.95, '0.95'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-7, '-0.00000025'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])("goFloat(%s) is FormatFloat 'f' -1: %s", (value, text) => {
    expect(goFloat(value)).toBe(text);
  });

  it.each([
    [1234567, '1.234567e+06'],
    [123456, '123456'],
    [0.00001, '1e-05'],
    [0.25, '0.25'],
    [0, '0'],
  ])('goFloatG(%s) is %%v: %s', (value, text) => {
    expect(goFloatG(value)).toBe(text);
  });

  it('writes lists as fmt.Sprint does', () => {
    expect(goSprint([[0.5, 1], [], 'up'])).toBe('[[0.5 1] [] up]');
  });

  it('encodes queries as url.Values.Encode', () => {
    expect(
      goEncodeQuery([
        ['to', '2'],
        ['query', "avg:cpu{*} by {host}!'()~"],
      ]),
    ).toBe('query=avg%3Acpu%7B%2A%7D+by+%7Bhost%7D%21%27%28%29~&to=2');
  });
});
