import { describe, expect, it } from 'vitest';
import { STRING_FUNCTIONS, timeFunctions } from './executor.js';
import { TemplateRenderError, TemplateSyntaxError } from './template-error.js';
import { compileTemplate } from './template.js';

const ROOTS = ['rollout', 'recipient', 'serviceType', 'time', 'strings', 'analysisRuns'];
const NOW = new Date('2026-12-05T08:04:05.250Z');
const rollout = {
  metadata: { name: 'guestbook', namespace: 'shop', labels: { team: 'web' } },
  spec: {
    replicas: 5,
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } },
    template: {
      spec: {
        containers: [
          { name: 'guestbook', image: 'argoproj/rollouts-demo:yellow' },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    },
  },
  status: { currentStepIndex: 1, updatedReplicas: 2, phase: 'Paused', nullable: null },
};
const data = {
  rollout,
  recipient: 'my-channel',
  serviceType: 'slack',
  time: timeFunctions(NOW),
  strings: STRING_FUNCTIONS,
  analysisRuns: [],
};

function render(source: string): string {
  const template = compileTemplate(source, ROOTS);
  if (template instanceof TemplateSyntaxError) throw template;
  return template.render(data);
}

describe('Go text/template as Argo notification templates use it', () => {
  it.each<[string, string]>([
    ['Rollout {{.rollout.metadata.name}} has been completed.', 'Rollout guestbook has been completed.'],
    ['{{ .rollout.metadata.name}}', 'guestbook'],
    [
      'step number {{ add .rollout.status.currentStepIndex 1}}/{{len .rollout.spec.strategy.canary.steps}} has been completed.',
      'step number 2/3 has been completed.',
    ],
    ['{{if .rollout.spec.strategy.blueGreen}}BlueGreen{{end}}{{if .rollout.spec.strategy.canary}}Canary{{end}}', 'Canary'],
    [
      '{{range $index, $c := .rollout.spec.template.spec.containers}}{{if $index}},{{end}}{{$c.name}}={{$c.image}}{{end}}',
      'guestbook=argoproj/rollouts-demo:yellow,proxy=envoy:1.30',
    ],
    ['{{range .rollout.spec.template.spec.containers}}[{{.name}}]{{end}}', '[guestbook][proxy]'],
    ['{{range .rollout.status.none}}x{{else}}empty{{end}}', 'empty'],
    ['{{.rollout.status.missing}}|{{.rollout.status.missing.deeper}}|{{.rollout.status.nullable}}', '<no value>|<no value>|<nil>'],
    ['{{.rollout.spec.replicas}} {{.rollout.metadata.labels}}', '5 map[team:web]'],
    ['{{if eq .serviceType "slack"}}S{{else if eq .serviceType "email"}}E{{else}}O{{end}}', 'S'],
    ['{{if and (gt .rollout.spec.replicas 3) (not .rollout.status.missing)}}big{{end}}', 'big'],
    ['{{or .rollout.status.missing "fallback"}}', 'fallback'],
    ['{{ call .strings.ReplaceAll .rollout.metadata.name "book" "BOOK" }}', 'guestBOOK'],
    ['{{ (call .time.Now).Format "2006-01-02T15:04:05Z07:00" }} {{(call .time.Now).Unix}}', '2026-12-05T08:04:05Z 1796457845'],
    ['{{ (call .time.Parse "2026-01-02T03:04:05Z").Format "Jan _2 15:04" }}', 'Jan  2 03:04'],
    ['{{ .rollout.metadata.name | upper | printf "%s!" }}', 'GUESTBOOK!'],
    ['{{ printf "%d/%05.1f/%q/%v" 3 2.36 "x" true }}', '3/002.4/"x"/true'],
    ['{{ $name := .rollout.metadata.name }}{{ with .rollout.status }}{{ $name }} at {{ .phase }}{{ end }}', 'guestbook at Paused'],
    ['a  {{- "b" -}}  c {{/* a comment */}}d', 'abc d'],
    ['{{ index .rollout.spec.template.spec.containers 1 "name" }}', 'proxy'],
    ['{{ .rollout.metadata | toJson }}', '{"name":"guestbook","namespace":"shop","labels":{"team":"web"}}'],
    [
      '{{ .recipient | quote }} {{ default "none" .rollout.status.missing }} {{ trimPrefix "argoproj/" (index .rollout.spec.template.spec.containers 0).image }}',
      '"my-channel" none rollouts-demo:yellow',
    ],
    ['{{range $i := 5}}{{if eq $i 3}}{{break}}{{end}}{{$i}}{{end}}', '012'],
    ['{{ $n := 1 }}{{ range $i := 3 }}{{ $n = add $n $i }}{{ end }}{{ $n }}', '4'],
    ['{{ if $s := .serviceType }}{{ $s }}{{ else }}{{ $s }}none{{ end }}', 'slack'],
  ])('%s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it.each<[string, string]>([
    ['{{len .rollout.spec.strategy.blueGreen.steps}}', 'error calling len: len of missing value'],
    ['{{.rollout.status.nullable.x}}', 'nil pointer evaluating interface {}.x'],
    ['{{.rollout.metadata.name.first}}', "can't evaluate field first in type string"],
    ['{{index .rollout.spec.template.spec.containers 5}}', 'error calling index: index out of range: 5'],
    ['{{if lt .rollout.metadata.name 3}}{{end}}', 'error calling lt: incompatible types for comparison'],
    ['{{"a" "b"}}', "can't give argument to non-function"],
  ])('%s fails as Go does: %s', (source, reason) => {
    expect(() => render(source)).toThrow(TemplateRenderError);
    expect(() => render(source)).toThrow(reason);
  });

  it.each<[string, string]>([
    ['{{.app.metadata.name}}', '.app is not available to notification templates'],
    ['{{range .rollout.spec.template.spec.containers}}{{$.context.url}}{{end}}', '.context is not available'],
    ['{{ sprig_unknown .x }}', 'function "sprig_unknown" not defined'],
    ['{{template "other" .}}', '{{template}} is not supported'],
    ['{{if .rollout}}never closed', '{{if}} has no {{end}}'],
    ['{{end}}', 'unexpected {{end}}'],
    ['{{ .rollout.metadata.name', 'unclosed action'],
    ['{{break}}', '{{break}} outside {{range}}'],
    ["{{ 'c' }}", 'character constants are not supported'],
    ['{{ $c }}', 'undefined variable "$c"'],
    ['{{range $i, $c := .rollout.spec.template.spec.containers}}{{end}}{{$c.name}}', 'undefined variable "$c"'],
    ['{{ $x = 1 }}', 'undefined variable "$x"'],
  ])('%s is refused when compiled: %s', (source, reason) => {
    const compiled = compileTemplate(source, ROOTS);
    expect(compiled).toBeInstanceOf(TemplateSyntaxError);
    expect((compiled as TemplateSyntaxError).message).toContain(reason);
  });

  it('reads fields of elements inside range without treating them as roots', () => {
    expect(compileTemplate('{{range .analysisRuns}}{{.metadata.name}}{{end}}', ROOTS)).not.toBeInstanceOf(TemplateSyntaxError);
  });
});
