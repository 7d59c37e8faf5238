/**
 * Every error the collector answers, with its HTTP status. The README lists
 * each code; a test fails when one is missing there.
 */
export const ERRORS = {
  invalid_report: { status: 400, meaning: 'the body is JSON but not a valid report; the message names the field' },
  invalid_json: { status: 400, meaning: 'the body is not JSON in UTF-8' },
  invalid_instance_id: { status: 400, meaning: 'the instance id in the path is not 8-64 letters, digits, - or _' },
  invalid_query: { status: 400, meaning: 'a query parameter is out of range; the message names it' },
  bad_request: { status: 400, meaning: 'the request is not well-formed HTTP/1.1 (framing, path encoding, Host)' },
  not_found: { status: 404, meaning: 'no such endpoint' },
  request_timeout: { status: 408, meaning: 'the request did not arrive in time' },
  body_too_large: { status: 413, meaning: 'the body is larger than 16 KiB' },
  unsupported_media_type: { status: 415, meaning: 'the body is not sent as application/json' },
  unsupported_charset: { status: 415, meaning: 'the body is declared in a charset other than UTF-8' },
  unsupported_encoding: { status: 415, meaning: 'the body is compressed or otherwise encoded; send it as is' },
  expectation_failed: { status: 417, meaning: 'an Expect header other than 100-continue' },
  rate_limited: { status: 429, meaning: 'too many reports from this instance or address; see Retry-After' },
  headers_too_large: { status: 431, meaning: 'the request line and headers are larger than 16 KiB' },
  internal: { status: 500, meaning: 'the collector failed; nothing was stored' },
  store_unavailable: { status: 503, meaning: 'the database does not answer (health check), or a sync to disk failed and nothing is written until the collector is restarted' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every error answer. */
export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

/**
 * A request refused before it reaches a route, with the answer it gets.
 * Thrown by the body parser; the error handler answers it as it stands.
 */
export class Refusal extends Error {
  constructor(
    readonly errorCode: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
