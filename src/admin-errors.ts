/**
 * Every error the admin API answers, by its stable code: the HTTP status and
 * what it means. Each code is documented in a table row of README.md or
 * docs/ (test/unit/admin-errors.test.ts holds them to it); the message itself
 * comes from its locale key (`text`, under `runtime.`) so that it reads in the
 * user's language.
 */
export const ADMIN_ERRORS = {
  invalid_body: { status: 400, text: 'api.invalid-body', description: 'the body is not one of the choices PUT /telemetry takes' },
  // 409, not 403: the user may change telemetry, but something outside the editor has the last word.
  decision_fixed: { status: 409, text: 'api.decision-fixed', description: 'a flag, environment variable, opt-out file or settings.js decides; `reason` names it' },
  invalid_usage: { status: 400, text: 'api.invalid-usage', description: 'the body of POST /telemetry/editor-usage is not editor counts' },
  // 409: the route exists and the user may use it; the consent, not the user, says no.
  not_covered: { status: 409, text: 'api.not-covered', description: 'telemetry is off, or the consent does not cover the `editor` group: the counts are not kept' },
  not_saved: { status: 500, text: 'api.not-saved', description: 'the choice applies until Node-RED restarts but could not be saved' },
  internal: { status: 500, text: 'api.internal', description: 'an unexpected failure' },
  not_running: { status: 503, text: 'api.not-running', description: 'telemetry could not start (for example on a Node.js older than 18.17)' },
} as const satisfies Record<string, { status: number; text: string; description: string }>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;
