import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionEvaluationError, ConditionSyntaxError, type ConditionOutcome } from './compile.js';

const MEASURED_AT = new Date('2023-08-14T12:00:00Z');

function evaluate(condition: string, result: unknown): ConditionOutcome {
  const compiled = compileCondition(condition);
  if (compiled instanceof ConditionSyntaxError) throw compiled;
  return compiled.evaluate({ result, now: MEASURED_AT });
}

describe("Argo's EvalCondition", () => {
  it.each<[string, string, unknown, boolean]>([
    ['TestEvaluateConditionWithSuccess', 'result == true', true, true],
    ['TestEvaluateConditionWithFailure', 'result == false', true, false],
    [
      'TestEvaluateArray',
      'all(result.service_apdex.values.values, {# > 1})',
      { service_apdex: { label: null, values: { values: [2, 2] } } },
      true,
    ],
    ['TestEvaluateInOperator', '2 in result', [2, 2], true],
    ['TestEvaluateFloat64', 'result > 1', 5, true],
    ['TestEvaluateAsInt', 'asInt(result) == 1', '1', true],
    ['TestEvaluateAsInt', 'asInt(result) == 1', 1, true],
    ['TestEvaluateAsInt', 'asInt(result) == 1', 1.123, true],
    ['TestEvaluateAsFloat', 'asFloat(result) == 1.1', '1.1', true],
    ['TestEvaluateAsFloat', 'asFloat(result) >= 1.1', '1.1', true],
    ['TestEvaluateAsFloat', 'asFloat(result) <= 1.1', '1.1', true],
    ['TestEvaluateAsFloat', 'asFloat(result) == 1.1', 1.1, true],
    ['TestEvaluateAsFloat', 'asFloat(result) == 1', 1, true],
    ['TestEvaluateAsFloat', 'asFloat(result) >= 1', 1, true],
    ['TestAsInt', 'asInt(result) == 1', '1', true],
    ['TestAsFloat', 'asFloat(result) == 1', '1', true],
    ['TestAsFloat', 'asFloat(result) == 1.1', '1.1', true],
    ['TestIsInf', 'isInf(result)', Number.POSITIVE_INFINITY, true],
    ['TestIsInf', 'isInf(result)', 0, false],
    ['TestDefaultFunc', 'default(result, 0) == 0', null, true],
    ['TestDefaultFunc', 'default(result, 2) == 2', null, true],
    ['TestDefaultFunc', 'default(result, 0) == 1', 1, true],
    ['TestIsNilFunc', 'isNil(result)', null, true],
    ['TestIsNilFunc', 'isNil(result)', 1, false],
    ['TestIsNilFunc', 'isNil(result)', ['hi', 'hello'], false],
    ['TestIsNilFunc', 'isNil(result)', false, false],
  ])('%s: %s with %j is %s', (_upstream, condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });

  it.each<[string, string, unknown, RegExp]>([
    ['TestErrorWithNonBoolReturn', '1', true, /^expected bool, but got int$/],
    ['TestEvaluateAsIntPanic', 'asInt(result) == 1.1', '1.1', /strconv.ParseInt: parsing "1.1": invalid syntax/],
    ['TestAsInt', 'asInt(result) == 1', 'notint', /strconv.ParseInt: parsing "notint": invalid syntax/],
    ['TestEvaluateAsFloatError', 'asFloat(result) == 1.1', 'NotANum', /strconv.ParseFloat: parsing "NotANum": invalid syntax/],
    ['TestEvaluateAsFloatError', 'asFloat(result) == "1.1"', '1.1', /invalid operation: == \(mismatched types float64 and string\)/],
  ])('%s: %s with %j fails', (_upstream, condition, result, message) => {
    const outcome = evaluate(condition, result);
    expect(outcome).toBeInstanceOf(ConditionEvaluationError);
    expect((outcome as ConditionEvaluationError).detail).toMatch(message);
  });

  it.each<[string, string, string]>([
    ['TestErrorWithInvalidReference', 'invalidVariable', 'unknown name invalidVariable'],
    ['TestEvaluateInvalidStruct', "result.Name() == 'hi'", 'only built-in functions can be called'],
    ['TestEvalTimeWithInvalidExpression', 'now() -- ?', 'unexpected "?"'],
  ])('%s: %s is refused when compiled', (_upstream, condition, reason) => {
    expect(compileCondition(condition)).toMatchObject({ reason });
  });

  // upstream: TestEvalTimeWithSuccessExpr
  it('reads dates with a Go layout and a zone, and subtracts durations', () => {
    expect(
      evaluate('date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h") == date("2023-08-13T23:00:00Z")', null),
    ).toBe(true);
  });
});

describe('expr-lang types: ints and floats', () => {
  it.each<[string, boolean]>([
    ['7 / 2 == 3.5', true],
    ['7 % 2 == 1', true],
    ['2 ** 2 == 4.0', true],
    ['1 == 1.0', true],
    ['1 + 0.5 == 1.5', true],
    ['len([1, 2]) * 2 == 4', true],
    ['0x1F == 31 && 1_000 == 1000 && 0b11 == 3 && 0o17 == 15', true],
    ['9223372036854775807 + 1 < 0', true],
    ['int(3.9) == 3 && int("42") == 42 && float("1.5") == 1.5', true],
    ['abs(-3) == 3 && abs(-2.5) == 2.5', true],
    ['ceil(1.2) == 2 && floor(1.8) == 1 && round(2.5) == 3 && round(-2.5) == -3', true],
    ['sum([1, 2]) == 3 && sum([1, 2.5]) == 3.5', true],
  ])('%s is %s', (condition, expected) => {
    expect(evaluate(condition, null)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['1', null, 'expected bool, but got int'],
    ['1.5', null, 'expected bool, but got float64'],
    ['result % 2 == 0', 4, 'invalid operation: % (mismatched types float64 and int)'],
    ["result < 'x'", 1, 'invalid operation: < (mismatched types float64 and string)'],
    ['1.5..3', null, 'invalid operation: .. (mismatched types float64 and int)'],
    ['duration("1h") > 1', null, 'invalid operation: > (mismatched types time.Duration and int)'],
    ["result == 'true'", true, 'invalid operation: == (mismatched types bool and string)'],
  ])('%s with %j fails: %s', (condition, result, detail) => {
    expect(evaluate(condition, result)).toMatchObject({ detail });
  });
});

describe('expr-lang operators Argo users write', () => {
  it.each<[string, unknown, boolean]>([
    ["result matches '^5\\\\d\\\\d$'", '503', true],
    ["result matches '^5\\\\d\\\\d$'", '200', false],
    ["result not matches 'error'", 'all fine', true],
    ["result not contains 'error'", 'all fine', true],
    ["result not startsWith 'canary'", 'stable-1', true],
    ["result not endsWith '.svc'", 'api', true],
    ["{a: 1, 'b-c': 2, (result): 3}.x == 3", 'x', true],
    ['{a: {b: [1, 2]}}.a.b[1] == 2', null, true],
    ['1..3 == [1, 2, 3]', null, true],
    ['3..1 == []', null, true],
    ['result in 200..299', 204, true],
    ['all(1..3, # > 0)', null, true],
    ["result | upper() == 'OK'", 'ok', true],
    ['result | filter(# > 1) | len() == 2', [1, 2, 3], true],
    ['result | map(.v) | sum() == 3', [{ v: 1 }, { v: 2 }], true],
    ['(result?.data ?? 7) == 7', null, true],
    ['result?.data?.value == nil', { data: null }, true],
    ['2 ^ 3 == 8', null, true],
    ['count(result, # > 1) == 2', [1, 2, 3], true],
    [
      'find(result, .ok).n == 2 && findIndex(result, .ok) == 1',
      [
        { ok: false, n: 1 },
        { ok: true, n: 2 },
      ],
      true,
    ],
    ["result.code == '200'", { code: 200 }, false],
    ['first(result) == 1 && last(result) == 3 && reverse(result) == [3, 2, 1]', [1, 2, 3], true],
    ["keys(result) == ['a'] && values(result) == [1]", { a: 1 }, true],
    ['mean(result) == 2 && median(result) == 2 && min(result) == 1 && max(result) == 3', [1, 2, 3], true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });

  it('refuses an invalid regular expression when the condition is compiled', () => {
    expect(compileCondition("result matches 'a**'")).toMatchObject({
      reason: 'error parsing regexp: invalid nested repetition operator: `**`',
    });
  });

  it('matches in linear time where a backtracking engine would not finish', () => {
    expect(evaluate("result matches '^(a+)+$'", `${'a'.repeat(5000)}b`)).toBe(false);
  });

  it('bounds ranges', () => {
    expect(evaluate('len(0..1000000) > 0', null)).toMatchObject({ reason: 'invalid-value' });
  });
});

describe('expr-lang string built-ins', () => {
  it.each<[string, unknown, boolean]>([
    ["upper(result) == 'ABC' && lower('AbC') == 'abc'", 'abc', true],
    ["trim('  a ') == 'a' && trim('xxaxx', 'x') == 'a'", null, true],
    ["trimPrefix('v1.2', 'v') == '1.2' && trimSuffix('a.svc', '.svc') == 'a'", null, true],
    ["split('a,b,c', ',') == ['a', 'b', 'c']", null, true],
    ["replace('a-b-c', '-', '+') == 'a+b+c'", null, true],
    ["indexOf('héllo', 'l') == 3 && lastIndexOf('abcabc', 'b') == 4 && indexOf('a', 'z') == -1", null, true],
    ["hasPrefix('canary', 'can') && hasSuffix('canary', 'ary')", null, true],
    ["join(['a', 'b'], '-') == 'a-b' && repeat('ab', 2) == 'abab'", null, true],
    ["len('abc') == 3", null, true],
  ])('%s is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });
});

describe('expr-lang time functions', () => {
  it.each<[string, boolean]>([
    ["now() == date('2023-08-14T12:00:00Z')", true],
    ["now() - date('2023-08-14 11:00:00', '2006-01-02 15:04:05') == duration('1h')", true],
    ["now() - duration('90m') > date('2023-08-14')", true],
    ["date('14/08/2023 02:30 PM', '02/01/2006 03:04 PM') > now()", true],
    ["date('2023-08-14 14:00:00', '2006-01-02 15:04:05', 'Europe/Berlin') == now()", true],
    ["date('2023-08-14T14:00:00.5+02:00') - now() == duration('500ms')", true],
    ["duration('1h30m') == duration('90m') && duration('-1.5h') < duration('0')", true],
  ])('%s is %s', (condition, expected) => {
    expect(evaluate(condition, null)).toBe(expected);
  });

  it.each<[string, string]>([
    ["duration('1d') > duration('0')", 'time: unknown unit "d" in duration "1d"'],
    ["duration('1') > duration('0')", 'time: missing unit in duration "1"'],
    ["date('yesterday') < now()", 'invalid date yesterday'],
    ["date('2023-08-14', '2006-01-02', 'Mars/Base') < now()", 'unknown time zone Mars/Base'],
  ])('%s fails: %s', (condition, detail) => {
    expect(evaluate(condition, null)).toMatchObject({ detail });
  });

  it('reads now() only from the time handed in', () => {
    const compiled = compileCondition('now() > date("2000-01-01")');
    expect(compiled).not.toBeInstanceOf(ConditionSyntaxError);
    const condition = compiled as Exclude<typeof compiled, ConditionSyntaxError>;
    expect(condition.evaluate({ result: null, now: new Date('1999-01-01T00:00:00Z') })).toBe(false);
    expect(condition.evaluate({ result: null })).toMatchObject({ detail: 'now() has no clock to read here' });
  });
});
