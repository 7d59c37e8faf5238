import type { Request, Response } from 'express';
import { errorMessage, Logger } from './log';
import type { NodeRedApi } from './red';
import type { ChoiceResult, Status } from './service';

export const ROUTE = '/telemetry';

/** What the routes need from the running service. */
export interface AdminTarget {
  status(): Status;
  setChoice(enabled: boolean): Promise<ChoiceResult>;
}

/** Errors use the shape the collector uses too: `{ error: { code, message } }`. */
function fail(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

/**
 * GET/PUT /telemetry under httpAdminRoot. `target()` is looked up per request
 * because a palette re-install replaces the service but cannot unmount routes.
 */
export function mountAdminApi(RED: Pick<NodeRedApi, 'httpAdmin' | 'auth'>, target: () => AdminTarget | null, log: Logger): boolean {
  const app = RED.httpAdmin;
  if (!app) return false;
  const unavailable = (res: Response): void => fail(res, 503, 'not_running', log.text('api.not-running'));

  app.get(ROUTE, RED.auth.needsPermission('telemetry.read'), (_req: Request, res: Response) => {
    const service = target();
    if (!service) return unavailable(res);
    res.json(service.status());
  });

  app.put(ROUTE, RED.auth.needsPermission('telemetry.write'), (req: Request, res: Response) => {
    const service = target();
    if (!service) return unavailable(res);
    const body: unknown = req.body;
    const enabled = body && typeof body === 'object' ? (body as { enabled?: unknown }).enabled : undefined;
    if (typeof enabled !== 'boolean') {
      return fail(res, 400, 'invalid_body', log.text('api.invalid-body'));
    }
    service.setChoice(enabled).then(
      (result) => {
        if (result.ok) return void res.json(result.status);
        if (result.code === 'decision_fixed') {
          const reason = result.decision.reason;
          return fail(res, 409, result.code, log.text('api.decision-fixed', { reason: log.text(`fixed.${reason}`) }), { reason });
        }
        fail(res, 500, result.code, log.text('api.not-saved', { error: result.error }));
      },
      (err: unknown) => fail(res, 500, 'internal', errorMessage(err)),
    );
  });
  return true;
}
