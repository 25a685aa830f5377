import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  findSecretMarkers,
  mergeArguments,
  replaceSecretMarkers,
  resolveArguments,
  secretMarker,
  substituteArgs,
  type ArgumentContext,
} from './arguments.js';
import type { AnalysisRunArgument, TemplateArgument } from '@flotilla/argo-spec';

const CONTEXT: ArgumentContext = {
  podTemplateHash: { stable: '6d4f8b9c7', latest: '7f9c5d8b6' },
  fieldValues: { "metadata.labels['env']": 'prod', 'status.alb.canaryTargetGroup.name': 'tg-canary' },
};

describe('resolveArguments', () => {
  it.each<[string, TemplateArgument[], AnalysisRunArgument[], Record<string, string>]>([
    ['a template default', [{ name: 'port', value: '9090' }], [], { port: '9090' }],
    [
      'a passed value overrides the default',
      [{ name: 'url', value: 'http://example/measure' }],
      [{ name: 'url', value: 'http://other-api' }],
      { url: 'http://other-api' },
    ],
    [
      'a required value',
      [{ name: 'service-name' }],
      [{ name: 'service-name', value: 'guestbook-svc' }],
      { 'service-name': 'guestbook-svc' },
    ],
    [
      'the stable pod template hash',
      [{ name: 'stable-hash' }],
      [{ name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } }],
      { 'stable-hash': '6d4f8b9c7' },
    ],
    [
      'the latest pod template hash',
      [{ name: 'latest-hash' }],
      [{ name: 'latest-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      { 'latest-hash': '7f9c5d8b6' },
    ],
    [
      'a metadata field',
      [{ name: 'env' }],
      [{ name: 'env', valueFrom: { fieldRef: { fieldPath: "metadata.labels['env']" } } }],
      { env: 'prod' },
    ],
    [
      'a status field',
      [{ name: 'tg' }],
      [{ name: 'tg', valueFrom: { fieldRef: { fieldPath: 'status.alb.canaryTargetGroup.name' } } }],
      { tg: 'tg-canary' },
    ],
    [
      'a secret becomes a marker',
      [{ name: 'api-token', valueFrom: { secretKeyRef: { name: 'token-secret', key: 'apiToken' } } }],
      [],
      { 'api-token': '$(flotilla-secret:token-secret/apiToken)' },
    ],
    [
      'a secret wins over a passed value',
      [{ name: 'api-token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      [{ name: 'api-token', value: 'plain' }],
      { 'api-token': '$(flotilla-secret:s/k)' },
    ],
    ['undeclared passed arguments are ignored', [{ name: 'a', value: '1' }], [{ name: 'b', value: '2' }], { a: '1' }],
  ])('%s', (_, templateArgs, runArgs, expected) => {
    expect(resolveArguments(templateArgs, runArgs, CONTEXT)).toEqual(expected);
  });

  it.each<[string, TemplateArgument[], AnalysisRunArgument[], ArgumentContext, string, string, string]>([
    [
      'a required argument nobody passed',
      [{ name: 'service-name' }],
      [],
      CONTEXT,
      'missing',
      'service-name',
      'args.service-name was not resolved',
    ],
    [
      'an unknown pod template hash',
      [{ name: 'h' }],
      [{ name: 'h', valueFrom: { podTemplateHashValue: 'Stable' } }],
      {},
      'unresolved-pod-template-hash',
      'h',
      'args.h: no stable pod template hash is known',
    ],
    [
      'a field the caller did not read',
      [{ name: 'f' }],
      [{ name: 'f', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      CONTEXT,
      'unresolved-field',
      'f',
      'args.f: field metadata.name has no value',
    ],
  ])('refuses %s', (_, templateArgs, runArgs, context, reason, argument, message) => {
    const resolved = resolveArguments(templateArgs, runArgs, context);
    expect(resolved).toBeInstanceOf(ArgumentError);
    expect(resolved).toMatchObject({ reason, argument, message });
  });
});

describe('mergeArguments', () => {
  it('keeps the template order and replaces valueFrom when one is passed', () => {
    expect(
      mergeArguments(
        [{ name: 'hash' }, { name: 'port', value: '9090' }],
        [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      ),
    ).toEqual([
      { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'port', value: '9090' },
    ]);
  });
});

describe('substituteArgs', () => {
  const args = { 'service-name': 'guestbook', port: '9090', token: secretMarker({ name: 'token-secret', key: 'apiToken' }) };

  it('replaces placeholders in every string of a provider configuration', () => {
    const provider = {
      web: {
        url: '{{ args.service-name }}:{{args.port}}/measure?service={{args.service-name}}',
        headers: [{ key: 'Authorization', value: 'Bearer {{ args.token }}' }],
        timeoutSeconds: 20,
        jsonBody: { '{{args.service-name}}': ['{{args.port}}', true, null] },
      },
    };
    expect(substituteArgs(provider, args)).toEqual({
      web: {
        url: 'guestbook:9090/measure?service=guestbook',
        headers: [{ key: 'Authorization', value: 'Bearer $(flotilla-secret:token-secret/apiToken)' }],
        timeoutSeconds: 20,
        jsonBody: { guestbook: ['9090', true, null] },
      },
    });
  });

  it('leaves the original untouched', () => {
    const metric = { query: 'up{service="{{args.service-name}}"}' };
    substituteArgs(metric, args);
    expect(metric.query).toBe('up{service="{{args.service-name}}"}');
  });

  it.each<[unknown, string, string]>([
    ['{{args.unknown}}', 'unknown', 'failed to resolve {{args.unknown}}'],
    [['ok', { deep: 'x {{ inputs.port }}' }], 'inputs.port', 'failed to resolve {{ inputs.port }}'],
  ])('refuses %j', (value, argument, message) => {
    expect(substituteArgs(value, args)).toMatchObject({ reason: 'unknown', argument, message });
  });
});

describe('secret markers', () => {
  it('are found and replaced by the agent', () => {
    const header = `Bearer ${secretMarker({ name: 'token-secret', key: 'apiToken' })} / ${secretMarker({ name: 'other', key: 'k.1' })}`;
    expect(findSecretMarkers(header)).toEqual([
      { name: 'token-secret', key: 'apiToken' },
      { name: 'other', key: 'k.1' },
    ]);
    const secrets: Record<string, string> = { 'token-secret/apiToken': 's3cr3t', 'other/k.1': 'x' };
    expect(replaceSecretMarkers(header, ({ name, key }) => secrets[`${name}/${key}`])).toBe('Bearer s3cr3t / x');
  });

  it('report the first secret the agent cannot find', () => {
    expect(replaceSecretMarkers(secretMarker({ name: 'gone', key: 'k' }), () => undefined)).toEqual({
      missing: { name: 'gone', key: 'k' },
    });
  });
});
