const breakGlassTemplate = (message: string, color: string, until: string): string =>
  [
    'message: |-',
    `  ${message}`,
    'email:',
    '  subject: |-',
    '    Break-glass of freeze window {{.freezeWindow.metadata.name}}',
    'slack:',
    '  attachments: |',
    '    [{',
    '      "title": "{{.freezeWindow.metadata.name}}",',
    `      "color": "${color}",`,
    '      "fields": [',
    '        {"title": "Scope", "value": "{{.override.targetType}} {{.override.targetName}}", "short": true},',
    `        {"title": "Until", "value": "${until}", "short": true}`,
    '      ]',
    '    }]',
    '',
  ].join('\n');

/**
 * Flotilla's triggers and templates for break-glass overrides of freezes, in Argo's format: a FreezeWindow subscribes
 * to them with the same annotations (`notifications.argoproj.io/subscribe.on-freeze-break-glass.slack: platform`).
 */
export const FREEZE_DEFAULT_CONFIG_MAP_DATA: Readonly<Record<string, string>> = {
  'template.freeze-break-glass': breakGlassTemplate(
    'Freeze window {{.freezeWindow.metadata.name}} is broken for {{.override.targetType}} {{.override.targetName}} until ' +
      '{{.override.expiresAt}}: break-glass by {{.override.requestedBy}}{{if .override.confirmedBy}}, confirmed by ' +
      '{{.override.confirmedBy}}{{end}}. Reason: {{.override.reason}}',
    '#E01E5A',
    '{{.override.expiresAt}}',
  ),
  'template.freeze-break-glass-requested': breakGlassTemplate(
    '{{.override.requestedBy}} asks to break freeze window {{.freezeWindow.metadata.name}} for {{.override.targetType}} ' +
      '{{.override.targetName}} for {{.override.durationSeconds}}s; another admin must confirm it. Reason: {{.override.reason}}',
    '#ECB22E',
    '{{.override.durationSeconds}}s once confirmed',
  ),
  'trigger.on-freeze-break-glass': '- send: [freeze-break-glass]\n',
  'trigger.on-freeze-break-glass-requested': '- send: [freeze-break-glass-requested]\n',
};
