/**
 * Every error the admin API answers, by its stable code: the HTTP status and
 * what it means. Each code is documented in a table row of README.md or
 * docs/ (test/unit/admin-errors.test.ts holds them to it); the message itself
 * is a locale key (`runtime.api.*`) so that it reads in the user's language.
 */
export const ADMIN_ERRORS = {
  invalid_body: { status: 400, description: 'the body is not one of the choices PUT /telemetry takes' },
  decision_fixed: { status: 409, description: 'a flag, environment variable, opt-out file or settings.js decides; `reason` names it' },
  not_saved: { status: 500, description: 'the choice applies until Node-RED restarts but could not be saved' },
  internal: { status: 500, description: 'an unexpected failure' },
  not_running: { status: 503, description: 'telemetry could not start (for example on a Node.js older than 18.17)' },
} as const satisfies Record<string, { status: number; description: string }>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;
