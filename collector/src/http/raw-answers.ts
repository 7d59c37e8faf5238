import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, errorBody, ERRORS } from './errors';

/** Headers every JSON error written outside fastify carries, as fastify's own answers do. */
function errorHeaders(body: string): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
  };
}

/** Answers for the Node parser's error codes that mean more than "malformed". */
const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'the request did not arrive in time'],
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'the request line and headers are larger than 16 KiB'],
};

/** How long a socket that got an error answer may stay open for the client to read it and close. */
const LINGER_MS = 2_000;

/**
 * Node's `clientError`: the request could not be parsed (framing, header
 * size, timeout), so there is no request or reply and the answer is written
 * to the socket by hand, in the same JSON as every other error. The socket is
 * ended rather than destroyed, so that unread input does not turn the close
 * into a reset that can discard the answer before the client reads it.
 */
export function answerClientError(err: Error & { code?: string; reason?: unknown }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
  // Node's own default handler checks the same: never write into an answer already under way.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const reason = typeof err.reason === 'string' && err.reason.length < 200 ? ` (${err.reason})` : '';
  const [code, message] = CLIENT_ERRORS[err.code ?? ''] ?? ['bad_request', `the request is not well-formed HTTP/1.1${reason}`];
  const body = JSON.stringify(errorBody(code, message));
  const status = ERRORS[code].status;
  const head = Object.entries({ ...errorHeaders(body), connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/**
 * Node's `checkExpectation`: without a listener, Node itself answers an
 * `Expect` other than 100-continue with an empty 417.
 */
export function answerExpectation(_request: http.IncomingMessage, response: http.ServerResponse): void {
  const body = JSON.stringify(errorBody('expectation_failed', 'only "Expect: 100-continue" is supported'));
  response.writeHead(ERRORS.expectation_failed.status, errorHeaders(body)).end(body);
}
