const fleetTemplate = (message: string, color: string): string =>
  [
    'message: |-',
    `  ${message}`,
    'email:',
    '  subject: |-',
    `    ${message}`,
    'slack:',
    '  attachments: |',
    '    [{',
    '      "title": "{{.fleetRollout.metadata.name}}",',
    `      "color": "${color}",`,
    '      "fields": [',
    '        {"title": "Release", "value": "{{.release.phase}}", "short": true},',
    '        {"title": "Wave", "value": "{{.event.wave}}", "short": true}',
    '      ]',
    '    }]',
    '',
  ].join('\n');

/**
 * Flotilla's triggers and templates for fleet releases, in Argo's format: a FleetRollout subscribes to them with
 * the same annotations (`notifications.argoproj.io/subscribe.on-fleet-release-halted.slack: releases`).
 */
export const FLEET_DEFAULT_CONFIG_MAP_DATA: Readonly<Record<string, string>> = {
  'template.fleet-wave-started': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}}: wave {{.event.wave}} started.',
    '#18be52',
  ),
  'template.fleet-wave-passed': fleetTemplate('Fleet release of {{.fleetRollout.metadata.name}}: wave {{.event.wave}} passed.', '#18be52'),
  'template.fleet-release-halted': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}} halted{{if .event.wave}} in wave {{.event.wave}}{{end}}: {{.event.message}}',
    '#E01E5A',
  ),
  'template.fleet-release-completed': fleetTemplate('Fleet release of {{.fleetRollout.metadata.name}} has been completed.', '#18be52'),
  'template.fleet-release-aborted': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}} aborted: {{.event.message}}',
    '#E01E5A',
  ),
  'template.fleet-release-rolled-back': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}} rolled back: {{.event.message}}',
    '#E01E5A',
  ),
  'template.fleet-release-superseded': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}} superseded: {{.event.message}}',
    '#ECB22E',
  ),
  'template.approval-required': fleetTemplate(
    'Fleet release of {{.fleetRollout.metadata.name}}: wave {{.event.wave}} waits for approval.',
    '#ECB22E',
  ),
  'trigger.on-fleet-wave-started': '- send: [fleet-wave-started]\n',
  'trigger.on-fleet-wave-passed': '- send: [fleet-wave-passed]\n',
  'trigger.on-fleet-release-halted': '- send: [fleet-release-halted]\n',
  'trigger.on-fleet-release-completed': '- send: [fleet-release-completed]\n',
  'trigger.on-fleet-release-aborted': '- send: [fleet-release-aborted]\n',
  'trigger.on-fleet-release-rolled-back': '- send: [fleet-release-rolled-back]\n',
  'trigger.on-fleet-release-superseded': '- send: [fleet-release-superseded]\n',
  'trigger.on-approval-required': '- send: [approval-required]\n',
};
