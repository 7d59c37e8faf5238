import pino, { DestinationStream, Logger } from 'pino';

/**
 * The collector's structured log. Requests are logged by our own hook with
 * method, route, status and time only: no serializer here can print a
 * sender's address or headers, whatever a library hands it.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'node-red-telemetry-collector' },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
