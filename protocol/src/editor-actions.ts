/**
 * The core editor actions of Node-RED, the only ones the `editor` group names:
 * every `core:` action Node-RED's editor (`@node-red/editor-client`) and its
 * own nodes (`@node-red/nodes`: the Debug sidebar's) register with
 * `RED.actions.add`, in any of the releases tested (3.1, 4.0, 4.1 and 5.0),
 * sorted. An action any other code registers (a plugin's, a theme's) is
 * counted as `other`, never named: its name is chosen by whoever wrote it.
 * test/unit/insight/editor-actions.test.ts reads the installed releases and
 * fails when one registers a `core:` action missing here.
 */
export const EDITOR_CORE_ACTIONS = [
  'core:activate-all-debug-nodes', 'core:activate-all-flow-debug-nodes', 'core:activate-selected-debug-nodes', 'core:add-flow',
  'core:add-flow-to-right', 'core:add-node', 'core:align-selection-to-bottom', 'core:align-selection-to-center', 'core:align-selection-to-grid',
  'core:align-selection-to-left', 'core:align-selection-to-middle', 'core:align-selection-to-right', 'core:align-selection-to-top',
  'core:cancel-edit-tray', 'core:clear-debug-messages', 'core:clear-filtered-debug-messages', 'core:confirm-edit-tray', 'core:convert-to-subflow',
  'core:copy-group-style', 'core:copy-item-edit-url', 'core:copy-item-url', 'core:copy-selection-to-internal-clipboard', 'core:create-subflow',
  'core:cut-selection-to-internal-clipboard', 'core:deactivate-all-debug-nodes', 'core:deactivate-all-flow-debug-nodes',
  'core:deactivate-selected-debug-nodes', 'core:delete-config-selection', 'core:delete-selection', 'core:delete-selection-and-reconnect',
  'core:deploy-flows', 'core:detach-selected-nodes', 'core:disable-flow', 'core:disable-selected-nodes', 'core:distribute-selection-horizontally',
  'core:distribute-selection-vertically', 'core:edit-flow', 'core:edit-selected-node', 'core:enable-flow', 'core:enable-selected-nodes',
  'core:generate-node-names', 'core:go-to-nearest-node-above', 'core:go-to-nearest-node-below', 'core:go-to-nearest-node-on-left',
  'core:go-to-nearest-node-on-right', 'core:go-to-next-location', 'core:go-to-next-node', 'core:go-to-next-sibling', 'core:go-to-previous-location',
  'core:go-to-previous-node', 'core:go-to-previous-sibling', 'core:go-to-selection', 'core:group-selection', 'core:hide-all-flows', 'core:hide-flow',
  'core:hide-other-flows', 'core:hide-selected-node-labels', 'core:list-flows', 'core:list-hidden-flows', 'core:list-modified-nodes',
  'core:list-subflows', 'core:lock-flow', 'core:manage-palette', 'core:merge-selection-to-group', 'core:move-flow-to-end', 'core:move-flow-to-start',
  'core:move-selection-backwards', 'core:move-selection-down', 'core:move-selection-forwards', 'core:move-selection-left',
  'core:move-selection-right', 'core:move-selection-to-back', 'core:move-selection-to-front', 'core:move-selection-up', 'core:new-project',
  'core:open-project', 'core:paste-from-internal-clipboard', 'core:paste-group-style', 'core:redo', 'core:remove-flow',
  'core:remove-selection-from-group', 'core:restart-flows', 'core:scroll-view-down', 'core:scroll-view-left', 'core:scroll-view-right',
  'core:scroll-view-up', 'core:search', 'core:search-next', 'core:search-previous', 'core:select-all-config-nodes', 'core:select-all-nodes',
  'core:select-connected-nodes', 'core:select-downstream-nodes', 'core:select-none', 'core:select-upstream-nodes', 'core:set-deploy-type-to-full',
  'core:set-deploy-type-to-modified-flows', 'core:set-deploy-type-to-modified-nodes', 'core:show-about', 'core:show-action-list',
  'core:show-all-flows', 'core:show-config-tab', 'core:show-context-tab', 'core:show-current-diff', 'core:show-debug-tab', 'core:show-event-log',
  'core:show-examples-import-dialog', 'core:show-explorer-tab', 'core:show-export-dialog', 'core:show-first-tab', 'core:show-global-env',
  'core:show-help', 'core:show-help-tab', 'core:show-import-dialog', 'core:show-info-tab', 'core:show-keyboard-settings',
  'core:show-last-hidden-flow', 'core:show-last-tab', 'core:show-library-export-dialog', 'core:show-library-import-dialog', 'core:show-next-tab',
  'core:show-node-help', 'core:show-palette-tab', 'core:show-previous-tab', 'core:show-project-settings', 'core:show-remote-diff',
  'core:show-selected-node-labels', 'core:show-system-info', 'core:show-test-flow-diff-1', 'core:show-test-flow-diff-2',
  'core:show-test-flow-diff-3', 'core:show-user-settings', 'core:show-version-control-tab', 'core:show-welcome-tour',
  'core:split-wire-with-link-nodes', 'core:split-wires-with-junctions', 'core:start-flows', 'core:step-selection-down', 'core:step-selection-left',
  'core:step-selection-right', 'core:step-selection-up', 'core:step-view-down', 'core:step-view-left', 'core:step-view-right', 'core:step-view-up',
  'core:stop-flows', 'core:toggle-debug-messages', 'core:toggle-flows', 'core:toggle-left-sidebar', 'core:toggle-navigator',
  'core:toggle-node-info-icon', 'core:toggle-palette', 'core:toggle-right-sidebar', 'core:toggle-show-grid', 'core:toggle-show-tips',
  'core:toggle-sidebar', 'core:toggle-snap-grid', 'core:toggle-status', 'core:trigger-selected-nodes-action', 'core:undo', 'core:ungroup-selection',
  'core:unlock-flow', 'core:wire-multiple-to-node', 'core:wire-node-to-multiple', 'core:wire-series-of-nodes', 'core:zoom-fit', 'core:zoom-in',
  'core:zoom-out', 'core:zoom-reset',
] as const;
export type EditorCoreAction = (typeof EDITOR_CORE_ACTIONS)[number];
