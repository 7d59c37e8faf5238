/** Limits and patterns shared by every string a report carries. */

/** Longest accepted value for each string field: generous for real values, small for abuse. */
export const FIELD_LIMITS = {
  instanceId: 64,
  'os.type': 64,
  'os.release': 128,
  'os.arch': 32,
  'env.nodejs': 64,
  'env.node-red': 64,
} as const;

/** What an instance id may look like: the plugin's 32 hex digits, or another tool's UUID. */
export const INSTANCE_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';

/**
 * What any other string may hold: no C0 control character, no DEL, no lone
 * surrogate. PostgreSQL cannot store U+0000 at all and both stores turn a lone
 * surrogate into U+FFFD, so refusing them keeps every accepted string stored
 * exactly, on either store. A surrogate pair matches the second branch without
 * the `u` flag and the first with it (fastify's validator uses `u`), so the
 * pattern means the same to every validator.
 */
export const TEXT_PATTERN = '^(?:[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';

export function text(maxLength: number): { type: 'string'; minLength: 1; maxLength: number; pattern: string } {
  return { type: 'string', minLength: 1, maxLength, pattern: TEXT_PATTERN };
}

