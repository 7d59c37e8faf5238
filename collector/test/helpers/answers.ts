import assert from 'node:assert/strict';
import { request } from 'undici';
import { ERRORS } from '../../src/http/errors';

/** An answer as the checks below need it: status, lower-case headers, body text. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends bytes exactly as given (a JSON body, UTF-16, gzip, broken UTF-8) with undici; never throws on a status. */
export async function sendBytes(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  urlPath: string,
  body: Buffer | string | undefined,
  headers: Record<string, string> = {},
): Promise<PlainAnswer> {
  const answer = await request(new URL(urlPath, baseUrl), { method, headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
}

/**
 * Checks that an answer is one of the collector's documented errors:
 * JSON `{ error: { code, message } }` with a code from ERRORS whose status
 * it has, marked nosniff. `what` names the request in every failure message.
 */
export function assertErrorAnswer(answer: PlainAnswer, what: string, expected?: { status?: number; code?: string }): { code: string; message: string } {
  const context = `${what}: answered ${answer.status} ${JSON.stringify(answer.headers)} ${answer.body.slice(0, 500)}`;
  assert.match(String(answer.headers['content-type']), /^application\/json/, `not JSON; ${context}`);
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', `no nosniff; ${context}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    assert.fail(`body is not JSON; ${context}`);
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  assert.ok(error && typeof error === 'object', `no "error" object; ${context}`);
  assert.deepEqual(Object.keys(parsed as object), ['error'], `keys besides "error"; ${context}`);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], `"error" is not { code, message }; ${context}`);
  assert.ok(typeof error.code === 'string' && Object.hasOwn(ERRORS, error.code), `undocumented code; ${context}`);
  assert.ok(typeof error.message === 'string' && error.message.length > 0, `empty message; ${context}`);
  const documented = ERRORS[error.code as keyof typeof ERRORS];
  assert.equal(answer.status, documented.status, `status differs from ERRORS.${error.code}; ${context}`);
  if (expected?.status !== undefined) assert.equal(answer.status, expected.status, `unexpected status; ${context}`);
  if (expected?.code !== undefined) assert.equal(error.code, expected.code, `unexpected code; ${context}`);
  return { code: error.code, message: error.message };
}
