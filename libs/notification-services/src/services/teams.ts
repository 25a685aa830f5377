import type { JsonObject, JsonValue, RenderedNotification } from '@flotilla/notifications';
import { z } from 'zod';
import { permanent, PermanentDeliveryError } from '../delivery-outcome.js';
import { outcomeOfResponse } from '../http-outcome.js';
import { defineServiceKind, type SenderContext } from '../service-kind.js';
import { goStruct, textMap } from '../settings/go-settings.js';
import { jsonField, jsonListField, leafText, serviceBlock, textField } from '../template-fields.js';
import { postJson, sendRequest } from './http-send.js';

const teamsSettings = goStruct({ recipientUrls: textMap });

type TeamsSettings = z.output<typeof teamsSettings>;

/** Power Automate Workflows URLs, which take Adaptive Cards; other Teams URLs are Office 365 connectors (MessageCard). */
export function isWorkflowsUrl(url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const host = target.hostname.toLowerCase();
  return (
    ['api.powerautomate.com', 'api.powerplatform.com', 'flow.microsoft.com'].some(
      (known) => host === known || host.endsWith(`.${known}`),
    ) || target.pathname.includes('/powerautomate/')
  );
}

function recipientUrl(settings: TeamsSettings, recipient: string): string {
  const url = settings.recipientUrls[recipient];
  if (url === undefined) throw new PermanentDeliveryError(`recipientUrls has no "${recipient}"`);
  return url;
}

interface Fact {
  name: string;
  value: string;
}

function factsOf(value: JsonValue | undefined): Fact[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((fact) =>
    typeof fact === 'object' && fact !== null && !Array.isArray(fact) ? [{ name: leafText(fact.name), value: leafText(fact.value) }] : [],
  );
}

/** The Office 365 connector MessageCard of a notification, as Argo builds it from the template's `teams` block. */
export function messageCard(notification: RenderedNotification, block: JsonObject): JsonValue {
  const card: Record<string, JsonValue> = {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    text: textField(block, 'text') ?? notification.message,
  };
  const title = textField(block, 'title') ?? notification.title;
  if (title) card.title = title;
  const summary = textField(block, 'summary');
  const themeColor = textField(block, 'themeColor');
  if (summary) card.summary = summary;
  if (themeColor) card.themeColor = themeColor;
  const sections = jsonListField(block, 'sections', 'teams.sections') ?? [];
  const facts = jsonListField(block, 'facts', 'teams.facts');
  if (facts) sections.push({ facts });
  if (sections.length > 0) card.sections = sections;
  const actions = jsonListField(block, 'potentialAction', 'teams.potentialAction');
  if (actions) card.potentialAction = actions;
  return card;
}

/**
 * The Adaptive Card of a notification (Teams Workflows): the block's `adaptiveCard` as written, or one built from
 * `title`, `text`, `facts`, the facts of `sections` and the `OpenUri` actions of `potentialAction`.
 */
export function adaptiveCard(notification: RenderedNotification, block: JsonObject, blockName: string): JsonValue {
  const written = jsonField(block, 'adaptiveCard', `${blockName}.adaptiveCard`);
  if (written !== undefined) return written;
  const body: JsonValue[] = [];
  const title = textField(block, 'title') ?? notification.title;
  const themeColor = textField(block, 'themeColor');
  if (title)
    body.push({
      type: 'TextBlock',
      text: title,
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
      ...(themeColor ? { color: themeColor } : {}),
    });
  body.push({ type: 'TextBlock', text: textField(block, 'text') ?? notification.message, wrap: true });
  const sections = jsonListField(block, 'sections', `${blockName}.sections`) ?? [];
  const factLists = [
    factsOf(jsonListField(block, 'facts', `${blockName}.facts`)),
    ...sections.map((section) =>
      factsOf(typeof section === 'object' && section !== null && !Array.isArray(section) ? section.facts : undefined),
    ),
  ];
  for (const facts of factLists) {
    if (facts.length > 0) body.push({ type: 'FactSet', facts: facts.map((fact) => ({ title: fact.name, value: fact.value })) });
  }
  const actions = (jsonListField(block, 'potentialAction', `${blockName}.potentialAction`) ?? []).flatMap((action): JsonValue[] => {
    if (typeof action !== 'object' || action === null || Array.isArray(action) || action['@type'] !== 'OpenUri') return [];
    const [target] = Array.isArray(action.targets) ? action.targets : [];
    const uri = typeof target === 'object' && target !== null && !Array.isArray(target) ? target.uri : undefined;
    return typeof uri === 'string' ? [{ type: 'Action.OpenUrl', title: leafText(action.name), url: uri }] : [];
  });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/** The message a Workflows webhook takes: the card as the one attachment. */
function workflowsMessage(card: JsonValue): JsonValue {
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
}

function sendToWorkflows(context: SenderContext, url: string, card: JsonValue) {
  return postJson(context.environment, 'teams', { url, body: workflowsMessage(card) });
}

/**
 * `service.teams`: `recipientUrls` maps each recipient to its webhook. An Office 365 connector URL gets a MessageCard
 * (or the block's raw `template`) and must answer `1`; a Workflows URL gets an Adaptive Card, as Argo tells them apart.
 */
export const teamsService = defineServiceKind('teams', teamsSettings, (settings, context) => async (notification, recipient) => {
  const url = recipientUrl(settings, recipient);
  const block = serviceBlock(notification, 'teams');
  if (isWorkflowsUrl(url)) return sendToWorkflows(context, url, adaptiveCard(notification, block, 'teams'));
  const template = textField(block, 'template');
  const response = await sendRequest(context.environment, {
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json' },
    body: template ?? JSON.stringify(messageCard(notification, block)),
  });
  const outcome = outcomeOfResponse('teams', response, context.environment.now());
  if (outcome.kind === 'delivered' && response.body.trim() !== '1')
    return permanent(`teams answered "${response.body.slice(0, 200)}" instead of 1`);
  return outcome;
});

/** `service.teams-workflows`: `recipientUrls` as `teams`; always an Adaptive Card from the `teams-workflows` block. */
export const teamsWorkflowsService = defineServiceKind(
  'teams-workflows',
  teamsSettings,
  (settings, context) => (notification, recipient) =>
    sendToWorkflows(
      context,
      recipientUrl(settings, recipient),
      adaptiveCard(notification, serviceBlock(notification, 'teams-workflows'), 'teams-workflows'),
    ),
);
