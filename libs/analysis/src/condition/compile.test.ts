import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileCondition,
  compileVariableCondition,
  ConditionEvaluationError,
  ConditionSyntaxError,
  type ConditionOutcome,
} from './compile.js';

function evaluate(condition: string, result: unknown, args?: Record<string, string>): ConditionOutcome {
  const compiled = compileCondition(condition);
  if (compiled instanceof ConditionSyntaxError) throw compiled;
  return compiled.evaluate(args ? { result, args } : { result });
}

describe('conditions from the Argo analysis documentation', () => {
  it.each<[string, unknown, boolean]>([
    ['result[0] >= 0.95', [0.97], true],
    ['result[0] >= 0.95', [0.9], false],
    ['result[0] <= 0.95', [0.2], true],
    ['result[0] >= 10', [12], true],
    ["result == 'true'", 'true', true],
    ["result == 'true'", 'false', false],
    ['result == true', true, true],
    ['len(result.data) > 0', { data: [1, 2] }, true],
    ['len(result.data) > 0', { data: [] }, false],
    ['asFloat(result) >= 0.90', '0.95', true],
    ['asFloat(result) >= 0.90', '0.5', false],
    ['asInt(result) == 200', '200', true],
    ['isNaN(result) || result >= 0.95', Number.NaN, true],
    ['result >= 0.95', Number.NaN, false],
    ['result < 0.95', Number.NaN, false],
    ['result >= 0.95', Number.POSITIVE_INFINITY, true],
    ['isInf(result)', Number.POSITIVE_INFINITY, true],
    ['isInf(result)', Number.NEGATIVE_INFINITY, true],
    ['isInf(result)', 3, false],
    ['len(result) == 0 || result[0] >= 0.95', [], true],
    ['len(result) > 0 && result[0] >= 0.95', [], false],
    ['default(result, 0) < 0.05', null, true],
    ['default(result, 0) < 5', 7, false],
    ['isNil(result)', null, true],
    ['isNil(result)', 0, false],
    ['all(result, {# > 0.9})', [0.95, 0.99], true],
    ['all(result, {# > 0.9})', [0.95, 0.5], false],
    ['result.successPercent >= 0.95', { successPercent: 0.96 }, true],
    ['result.successRate >= 0.95', { successRate: 0.94 }, false],
    ['len(result[0].Values) >= 2 and all(result[0].Values, {# <= 0.01})', [{ Values: [0.001, 0.01] }], true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });
});

describe('operators', () => {
  it.each<[string, unknown, boolean]>([
    ['result + 1 == 3', 2, true],
    ['result - 1 == 1', 2, true],
    ['result * 2 == 8', 4, true],
    ['result / 2 == 2.5', 5, true],
    ['7 % 3 == 1', null, true],
    ['asInt(result) % 3 == 1', 7, true],
    ['2 ** 10 == 1024', null, true],
    ['2 ** 3 ** 2 == 512', null, true],
    ['-2 ** 2 == -4', null, true],
    ['1 + 2 * 3 == 7', null, true],
    ['(1 + 2) * 3 == 9', null, true],
    ['1 / 0 > 1e308', null, true],
    ["'ab' + 'cd' == 'abcd'", null, true],
    ['[1] + [2] == [1, 2]', null, true],
    ['result != 1', 2, true],
    ["'b' > 'a'", null, true],
    ['result >= 1 and result <= 3', 2, true],
    ['result < 1 or result > 3', 2, false],
    ['result >= 1 && result <= 3', 2, true],
    ['not (result > 1)', 2, false],
    ['!(result > 1)', 0, true],
    ['not false and false', null, false],
    ['true or false and false', null, true],
    ['result in [1, 2, 3]', 2, true],
    ['result in [1, 2, 3]', 4, false],
    ['result not in [1, 2, 3]', 4, true],
    ["'ok' in result", { ok: 1 }, true],
    ["'missing' in result", { ok: 1 }, false],
    ["'toString' in result", {}, false],
    ['1 in result', null, false],
    ['result ? 1 == 1 : 1 == 2', true, true],
    ['result > 1 ? result < 5 : false', 3, true],
    ['(result ?? 4) == 4', null, true],
    ['(result ?? 4) == 0', 0, true],
    ['result.missing ?? true', {}, true],
    ["'canary-7f' startsWith 'canary'", null, true],
    ["result contains 'error'", 'an error occurred', true],
    ["result endsWith '.svc'", 'api.svc', true],
    ['[1, [2, 3]] == [1, [2, 3]]', null, true],
    ['result == result', { a: [1, { b: 2 }] }, true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });
});

describe('data access', () => {
  it.each<[string, unknown, boolean]>([
    ['result.data.value == 3', { data: { value: 3 } }, true],
    ['result["data"]["value"] == 3', { data: { value: 3 } }, true],
    ["result['weird-key'] == 1", { 'weird-key': 1 }, true],
    ['result[-1] == 3', [1, 2, 3], true],
    ['result[-3] == 1', [1, 2, 3], true],
    ['result[1:] == [2, 3]', [1, 2, 3], true],
    ['result[:2] == [1, 2]', [1, 2, 3], true],
    ['result[-2:] == [2, 3]', [1, 2, 3], true],
    ["result[0] == 'a'", 'abc', true],
    ['result.missing == nil', { present: 1 }, true],
    ['result?.data == nil', null, true],
    ['result?.[0] == nil', null, true],
    ['result.items[0].name == "web"', { items: [{ name: 'web' }] }, true],
    ['len(result) == 2', { a: 1, b: 2 }, true],
    ['len(result) == 3', 'héé', true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });

  it('reads a key that JSON made an own property without reaching the prototype', () => {
    const data: unknown = JSON.parse('{"__proto__": {"polluted": true}, "ok": true}');
    expect(evaluate('result.ok', data)).toBe(true);
    expect(evaluate("'__proto__' in result", data)).toBe(true);
  });
});

describe('closures', () => {
  it.each<[string, unknown, boolean]>([
    ['any(result, {# > 0.9})', [0.1, 0.95], true],
    ['any(result, {# > 0.9})', [], false],
    ['all(result, {# > 0.9})', [], true],
    ['none(result, {# > 0.9})', [0.1, 0.2], true],
    ['one(result, {# > 0.9})', [0.95, 0.2], true],
    ['one(result, {# > 0.9})', [0.95, 0.99], false],
    ['count(result, {# > 0.9}) == 2', [0.95, 0.99, 0.1], true],
    ['filter(result, {# > 1}) == [2, 3]', [1, 2, 3], true],
    ['map(result, {# * 2}) == [2, 4]', [1, 2], true],
    ['all(result, {.ok})', [{ ok: true }, { ok: true }], true],
    ['any(result, {.status == 500})', [{ status: 200 }, { status: 500 }], true],
    ['all(result, {any(#, {# > 1})})', [[0, 2], [3]], true],
    ['len(filter(result, {.latency > 0.5})) == 1', [{ latency: 0.7 }, { latency: 0.2 }], true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });
});

describe('aggregates, with expr-lang names and semantics', () => {
  it.each<[string, unknown, boolean]>([
    ['sum(result) == 6', [1, 2, 3], true],
    ['sum(result) == 0', [], true],
    ['sum(result, {#.errors}) == 3', [{ errors: 1 }, { errors: 2 }], true],
    [
      'sum(map(result, {#.value.errors})) / sum(map(result, {#.value.requests})) < 0.01',
      [{ value: { errors: 1, requests: 50 } }, { value: { errors: 0, requests: 150 } }],
      true,
    ],
    [
      'sum(map(result, {#.value.errors})) / sum(map(result, {#.value.requests})) < 0.01',
      [{ value: { errors: 3, requests: 50 } }, { value: { errors: 0, requests: 150 } }],
      false,
    ],
    ['min(result) == 1', [3, 1, 2], true],
    ['max(result) == 3', [3, 1, 2], true],
    ['max(1, 5, 2) == 5', null, true],
    ['max(1, [7, [9]], 2) == 9', null, true],
    ['min(2, result) == -1', [-1, 4], true],
    ['max(result) == nil', [], true],
    ["max(result) == 'a'", 'a', true],
    ['mean(result) == 2', [1, 2, 3], true],
    ['mean(result) == 0', [], true],
    ['mean(1, [2, 6]) == 3', null, true],
    ['median(result) == 2', [3, 1, 2], true],
    ['median(result) == 2.5', [4, 1, 2, 3], true],
    ['median(result) == 0', [], true],
    ['median(map(result, {#.value[0]})) < 0.01', [{ value: [0.005] }, { value: [0.02] }, { value: [0.001] }], true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });

  it.each<[string, unknown, string]>([
    ['sum(result) > 0', [1, 'x'], 'invalid argument for sum (type string)'],
    ['sum(result, {#.errors}) > 0', [{}], 'invalid argument for sum (type <nil>)'],
    ['sum(result) > 0', 3, 'sum() cannot iterate over float64'],
    ['max(result) > 0', [1, null], 'invalid argument for max (type <nil>)'],
    ['min(1, result) > 0', 'a', 'invalid argument for min (type string)'],
    ['mean(result) > 0', [{ a: 1 }], 'invalid argument for mean (type map[string]interface {})'],
    ['median(result) > 0', ['1'], 'invalid argument for median (type string)'],
  ])('%s with %j fails: %s', (condition, result, detail) => {
    expect(evaluate(condition, result)).toMatchObject({ reason: 'type-mismatch', detail });
  });

  it.each<[string, string]>([
    ['sum() == 0', 'sum takes 1 to 2 argument(s), got 0'],
    ['max() == 0', 'max takes at least 1 argument(s), got 0'],
  ])('%s: %s', (condition, reason) => {
    expect(compileCondition(condition)).toMatchObject({ reason });
  });

  it('orders min ≤ median ≤ max and min ≤ mean ≤ max; sum is mean × count', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 30 }), (values) => {
        const result = { v: values, lo: Math.min(...values), hi: Math.max(...values), slack: 1e-6 * Math.max(1, ...values.map(Math.abs)) };
        const condition = [
          'min(result.v) == result.lo && max(result.v) == result.hi',
          'min(result.v) <= median(result.v) && median(result.v) <= max(result.v)',
          'mean(result.v) >= result.lo - result.slack && mean(result.v) <= result.hi + result.slack',
          'abs(sum(result.v) - mean(result.v) * len(result.v)) <= result.slack * len(result.v)',
        ].join(' && ');
        expect(evaluate(condition, result)).toBe(true);
      }),
    );
  });
});

describe('Argo helpers', () => {
  it.each<[string, unknown, boolean]>([
    ['asInt(result) == 3', 3.9, true],
    ['asInt(result) == -7', '-7', true],
    ['asFloat(result) == 1500', '1.5e3', true],
    ['isInf(asFloat(result))', '+Inf', true],
    ['isNaN(asFloat(result))', 'NaN', true],
    ['abs(result) == 2', -2, true],
    ['default(nil, 5) == 5', null, true],
    ['default(result.missing, 5) == 5', {}, false],
    ['default(result, 5) == 0', 0, true],
  ])('%s with %j is %s', (condition, result, expected) => {
    expect(evaluate(condition, result)).toBe(expected);
  });
});

describe('evaluation errors are returned, never thrown', () => {
  it.each<[string, unknown, string, string]>([
    ['result < 0.05', null, 'type-mismatch', 'invalid operation: < (mismatched types <nil> and float64)'],
    ["result > 'a'", 1, 'type-mismatch', 'invalid operation: > (mismatched types float64 and string)'],
    ['result + 1 > 0', 'x', 'type-mismatch', 'invalid operation: + (mismatched types string and int)'],
    ['result and true', 1, 'type-mismatch', 'invalid operation: and on float64, expected bool'],
    ['not result', 'yes', 'type-mismatch', 'invalid operation: not on string, expected bool'],
    ['result % 2 == 0', 1.5, 'type-mismatch', 'invalid operation: % (mismatched types float64 and int)'],
    ['asInt(result) % 0 == 0', 3, 'invalid-value', 'integer divide by zero'],
    ['result.data > 1', 5, 'type-mismatch', 'cannot fetch data from float64'],
    ['result.data.value > 1', {}, 'type-mismatch', 'cannot fetch value from <nil>'],
    ['result[5] > 1', [1, 2], 'index-out-of-range', 'index out of range: 5 (array length is 2)'],
    ['result[0.5] > 1', [1, 2], 'type-mismatch', 'cannot use float64 as an index of []interface {}'],
    ['asInt(result) > 1', 'abc', 'invalid-value', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['asFloat(result) > 1', '1,5', 'invalid-value', 'strconv.ParseFloat: parsing "1,5": invalid syntax'],
    ['asInt(result) > 1', [1], 'type-mismatch', 'asInt() not supported on []interface {}'],
    ['isNaN(result)', '1', 'type-mismatch', 'isNaN() expects float64, got string'],
    ['len(result) > 0', 3, 'type-mismatch', 'invalid argument for len (type float64)'],
    ['all(result, {# > 0})', null, 'type-mismatch', 'all() cannot iterate over <nil>'],
    ['all(result, {#})', [1], 'type-mismatch', 'all() predicate must return bool, got float64'],
    ['result', 0.5, 'not-boolean', 'expected bool, but got float64'],
    ['result[0]', ['true'], 'not-boolean', 'expected bool, but got string'],
    ['result ? 1 : 2', 'yes', 'type-mismatch', 'invalid operation: ?: on string, expected bool'],
    ["result in 'abc'", 'a', 'type-mismatch', 'operator "in" not defined on string'],
  ])('%s with %j fails: %s', (condition, result, reason, detail) => {
    const outcome = evaluate(condition, result);
    expect(outcome).toBeInstanceOf(ConditionEvaluationError);
    expect(outcome).toMatchObject({ reason, detail });
  });

  it('names the position of the failing part', () => {
    expect(evaluate('result.a > 1 and result.b.c > 1', { a: 2 })).toMatchObject({ position: 25, detail: 'cannot fetch c from <nil>' });
  });

  it('refuses a computed key that reaches the prototype', () => {
    expect(evaluate("result['__pro' + 'to__'] == nil", {})).toMatchObject({ reason: 'forbidden-property' });
    expect(evaluate("result['constr' + 'uctor'] == nil", {})).toMatchObject({ reason: 'forbidden-property' });
  });

  it('refuses values that are not plain data', () => {
    expect(evaluate('result.size == 0', new Map())).toMatchObject({
      reason: 'type-mismatch',
      detail: 'cannot fetch size from unsupported object',
    });
    expect(evaluate('result.name == nil', () => 1)).toMatchObject({ reason: 'type-mismatch' });
  });
});

describe('compilation refuses what cannot run', () => {
  it.each<[string, string, number]>([
    ['result >', 'unexpected end of condition', 8],
    ['result >= >= 1', 'unexpected ">="', 10],
    ['(result > 1', 'expected ")" but found end of condition', 11],
    ["result == 'open", 'unterminated string', 10],
    ['result == 1 1', 'unexpected 1', 12],
    ['foo(result)', 'unknown function foo', 0],
    ['service > 1', 'unknown name service', 0],
    ['len(result, 1) > 0', 'len takes 1 argument(s), got 2', 0],
    ['len({# > 0})', 'a predicate {…} is only allowed as an argument of a function that takes one', 5],
    ['# > 0', '# is only allowed inside a closure', 0],
    ['{# > 0}', 'a predicate {…} is only allowed as an argument of a function that takes one', 1],
    ["result matches '(a'", 'error parsing regexp: missing closing ): `(a`', 15],
    ['result @ 1', 'unexpected character "@"', 7],
    ['result == {{service}}', 'placeholder must have the form {{args.name}}', 10],
    ["result == 'a\\q'", 'invalid escape sequence \\q', 12],
    ['#index > 0', 'only # is supported as a closure variable', 0],
    ['result.data()', 'only built-in functions can be called', 11],
    [
      '(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))',
      'condition nests too deeply',
      64,
    ],
  ])('%s: %s at %d', (condition, reason, position) => {
    const compiled = compileCondition(condition);
    expect(compiled).toBeInstanceOf(ConditionSyntaxError);
    expect(compiled).toMatchObject({ reason, position });
  });

  it.each([
    'result.__proto__',
    'result.constructor',
    'result.prototype',
    "result['__proto__']",
    'result["constructor"]',
    'result?.constructor',
    'len.call(result)',
    'len.constructor',
    'result.toString()',
    'result constructor 1',
    "'a' \\constructor",
    'constructor',
    '__proto__',
    'this',
    'globalThis.process',
    'process.exit(1)',
    'Function("return 1")()',
    "result.constructor.constructor('return process')()",
    'all(result, {#.constructor})',
    'map(result, {.__proto__})',
  ])('refuses the escape attempt %s', (condition) => {
    expect(compileCondition(condition)).toBeInstanceOf(ConditionSyntaxError);
  });

  it('reads a syntax error message with the condition and position', () => {
    expect((compileCondition('result >') as ConditionSyntaxError).message).toBe(
      'unexpected end of condition at position 8 of condition "result >"',
    );
  });
});

describe('argument placeholders in conditions', () => {
  it('compiles placeholders and lists the arguments they name', () => {
    const compiled = compileCondition("result[0] < {{ args.threshold }} and result[1] == '{{args.mode}}'");
    expect(compiled).not.toBeInstanceOf(ConditionSyntaxError);
    expect((compiled as Exclude<typeof compiled, ConditionSyntaxError>).arguments).toEqual(['threshold', 'mode']);
  });

  it.each<[string, unknown, Record<string, string>, boolean]>([
    ['result < {{args.threshold}}', 0.2, { threshold: '0.5' }, true],
    ['result < {{args.threshold}}', 0.7, { threshold: '0.5' }, false],
    ["result == '{{args.expected}}'", 'green', { expected: 'green' }, true],
    ['result in [{{args.codes}}]', 503, { codes: '500, 502, 503' }, true],
  ])('%s with %j and %j is %s', (condition, result, args, expected) => {
    expect(evaluate(condition, result, args)).toBe(expected);
  });

  it('reports an argument that was not supplied', () => {
    expect(evaluate('result < {{args.threshold}}', 1, {})).toMatchObject({
      reason: 'missing-argument',
      detail: 'argument threshold was not supplied',
    });
    expect(evaluate('result < {{args.threshold}}', 1)).toMatchObject({ reason: 'missing-argument', position: 9 });
  });

  it('reports a substituted value that breaks the syntax or names an unknown function', () => {
    expect(evaluate('result < {{args.threshold}}', 1, { threshold: '>' })).toMatchObject({ reason: 'syntax' });
    expect(evaluate('{{args.check}} > 0', 1, { check: 'exec(result)' })).toMatchObject({
      reason: 'unknown-function',
      detail: 'unknown function exec',
    });
  });
});

describe('conditions over named values', () => {
  const rollout = {
    spec: { template: { spec: { containers: [{ image: 'argoproj/rollouts-demo:purple' }] } } },
    status: { phase: 'Healthy' },
  };

  it.each<[string, boolean]>([
    ["rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'", true],
    ["rollout.status.phase == 'Degraded'", false],
    ['rollout.status.missing == nil', true],
    ["rollout.status.phase in ['Healthy', 'Paused']", true],
  ])('%s is %s', (source, expected) => {
    const condition = compileVariableCondition(source, ['rollout']);
    if (condition instanceof ConditionSyntaxError) throw condition;
    expect(condition.evaluate({ rollout })).toBe(expected);
  });

  it('refuses a name it was not given, and result unless given', () => {
    expect(compileVariableCondition('app.status.health == 1', ['rollout'])).toMatchObject({ reason: 'unknown name app', position: 0 });
    expect(compileVariableCondition('result > 1', ['rollout'])).toBeInstanceOf(ConditionSyntaxError);
  });

  it('reports a value of the wrong kind instead of deciding', () => {
    const condition = compileVariableCondition('rollout.status.phase > 1', ['rollout']);
    if (condition instanceof ConditionSyntaxError) throw condition;
    expect(condition.evaluate({ rollout })).toBeInstanceOf(ConditionEvaluationError);
  });
});
