import type { EDITOR_LANGUAGES, EditorCoreAction, EditorInsight } from '@node-red-telemetry/protocol';
import { between, weighted } from './random';

/**
 * Pure: the `editor` group of the demo fleet. An installation's editor is
 * opened on some days only (many run unattended), in one language and look
 * mostly; each session runs the common actions often and the rest rarely, so
 * that the panel "Editor features used" shows a long tail folded into "other".
 */

/** What stays the same for one installation: how often its editor is opened, and by whom. */
export interface EditorProfile {
  /** The share of days someone opens the editor. */
  openedOn: number;
  language: (typeof EDITOR_LANGUAGES)[number];
  dark: boolean;
  viewport: 'phone' | 'tablet' | 'desktop';
}

const LANGUAGES: ReadonlyArray<readonly [(typeof EDITOR_LANGUAGES)[number], number]> = [
  ['en-US', 55], ['de', 14], ['zh-CN', 8], ['ja', 6], ['fr', 5], ['es-ES', 4], ['pt-BR', 3], ['ko', 2], ['ru', 2], ['zh-TW', 1],
];

/** How likely one session runs each action (then once to a few times); the list's other actions are rare or never. */
const ACTION_USE: ReadonlyArray<readonly [EditorCoreAction | 'other', number]> = [
  ['core:deploy-flows', 0.7], ['core:delete-selection', 0.35], ['core:show-debug-tab', 0.45], ['core:copy-selection-to-internal-clipboard', 0.3],
  ['core:paste-from-internal-clipboard', 0.3], ['core:undo', 0.3], ['core:search', 0.25], ['core:show-info-tab', 0.2], ['core:edit-selected-node', 0.2],
  ['core:show-import-dialog', 0.15], ['core:show-export-dialog', 0.1], ['core:select-all-nodes', 0.1], ['core:zoom-in', 0.1], ['core:zoom-out', 0.1],
  ['core:clear-debug-messages', 0.12], ['core:manage-palette', 0.05], ['core:show-next-tab', 0.05], ['core:toggle-sidebar', 0.05], ['core:group-selection', 0.04],
  ['core:create-subflow', 0.02], ['core:convert-to-subflow', 0.02], ['core:show-user-settings', 0.03], ['core:show-action-list', 0.02], ['other', 0.06],
];

export function editorProfile(rnd: () => number): EditorProfile {
  return {
    openedOn: rnd() < 0.3 ? 0.02 : 0.1 + rnd() * 0.6,
    language: weighted(rnd, LANGUAGES),
    dark: rnd() < 0.25,
    viewport: weighted(rnd, [['desktop', 86], ['tablet', 8], ['phone', 6]] as const),
  };
}

/** One day's group: the sessions of that day (often none) and what they ran. */
export function editorOfDay(rnd: () => number, profile: EditorProfile): EditorInsight {
  const sessions = rnd() < profile.openedOn ? between(rnd, 1, 4) : 0;
  const actions: EditorInsight['actions'] = {};
  for (let s = 0; s < sessions; s++) {
    for (const [action, use] of ACTION_USE) if (rnd() < use) actions[action] = (actions[action] ?? 0) + between(rnd, 1, 3);
  }
  const once = (key: string): Record<string, number> => (sessions > 0 ? { [key]: sessions } : {});
  return { sessions, actions, languages: once(profile.language), themes: once(profile.dark ? 'dark' : 'light'), viewports: once(profile.viewport) };
}
