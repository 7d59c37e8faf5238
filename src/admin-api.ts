import type { NextFunction, Request, Response } from 'express';
import { ADMIN_ERRORS, AdminErrorCode } from './admin-errors';
import type { EditorInsight } from '@node-red-telemetry/protocol';
import type { ChoiceOptions, ChoiceResult } from './consent/choice';
import { errorMessage, Logger } from './log';
import type { EditorRecord } from './payload';
import type { NodeRedApi } from './red';
import type { Status } from './status';

export const ROUTE = '/telemetry';
/** Where editors hand in the `editor` group's counts, and read the closed lists they fold names by. */
export const EDITOR_ROUTE = '/telemetry/editor-usage';

/** What the routes need from the running service. */
export interface AdminTarget {
  status(): Status;
  setChoice(enabled: boolean, options?: ChoiceOptions): Promise<ChoiceResult>;
  recordEditorUsage(counts: EditorInsight): EditorRecord;
}

// Loaded on an editor's first request only: most instances never count their editors.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const editorUsage = (): typeof import('./insight/editor-usage') => require('./insight/editor-usage') as typeof import('./insight/editor-usage');

type Fail = (res: Response, code: AdminErrorCode, params?: Record<string, string>, extra?: Record<string, unknown>) => void;

/** Errors use the shape the collector uses too: `{ error: { code, message } }`, the message in the user's language. */
function failWith(log: Logger): Fail {
  return (res, code, params = {}, extra = {}) => {
    const { status, text } = ADMIN_ERRORS[code];
    res.status(status).json({ error: { code, message: log.text(text, params), ...extra } });
  };
}

const MAX_ITEMS = 64;

function itemList(value: unknown): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_ITEMS || !value.every((v) => typeof v === 'string' && v.length <= 80)) return null;
  return value as string[];
}

/**
 * `{ enabled, covers?, declines?, erase? }`: `covers` and `declines` are
 * lists of items (`flows`, `ext:<id>`) and go with `enabled: true`; `erase`
 * goes with `enabled: false`. Anything else is refused whole.
 */
export function parseChoice(body: unknown): { enabled: boolean; options: ChoiceOptions } | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const { enabled, covers, declines, erase } = body as Record<string, unknown>;
  if (typeof enabled !== 'boolean') return null;
  const coverList = itemList(covers);
  const declineList = itemList(declines);
  if (coverList === null || declineList === null) return null;
  if (erase !== undefined && (typeof erase !== 'boolean' || enabled)) return null;
  if (!enabled && (coverList || declineList)) return null;
  const options: ChoiceOptions = {};
  if (coverList) options.covers = coverList;
  if (declineList) options.declines = declineList;
  if (erase) options.erase = true;
  return { enabled, options };
}

/**
 * GET/PUT /telemetry, and GET/POST /telemetry/editor-usage (the `editor`
 * group), under httpAdminRoot. `target()` is looked up per request
 * because a palette re-install replaces the service but cannot unmount routes.
 * While `installed()` is false (the module was removed through the palette)
 * the routes step aside, before any permission check, so Node-RED answers as
 * if they had never been mounted (its plain 404).
 */
export function mountAdminApi(
  RED: Pick<NodeRedApi, 'httpAdmin' | 'auth'>,
  target: () => AdminTarget | null,
  log: Logger,
  installed: () => boolean = () => true,
): boolean {
  const app = RED.httpAdmin;
  if (!app) return false;
  const fail = failWith(log);
  const unavailable = (res: Response): void => fail(res, 'not_running');
  // Express cannot unmount a route; 'route' skips this route's other handlers.
  const whileInstalled = (_req: Request, _res: Response, next: NextFunction): void => next(installed() ? undefined : 'route');

  app.get(ROUTE, whileInstalled, RED.auth.needsPermission('telemetry.read'), (_req: Request, res: Response) => {
    const service = target();
    if (!service) return unavailable(res);
    res.json(service.status());
  });

  app.put(ROUTE, whileInstalled, RED.auth.needsPermission('telemetry.write'), (req: Request, res: Response) => {
    const service = target();
    if (!service) return unavailable(res);
    const parsed = parseChoice(req.body);
    if (!parsed) return fail(res, 'invalid_body');
    service.setChoice(parsed.enabled, parsed.options).then(
      (result) => {
        if (result.ok) return void res.json(result.status);
        if (result.code === 'decision_fixed') {
          const reason = result.decision.reason;
          return fail(res, result.code, { reason: log.text(`fixed.${reason}`) }, { reason });
        }
        fail(res, result.code, { error: result.error });
      },
      (err: unknown) => fail(res, 'internal', { error: errorMessage(err) }),
    );
  });

  // telemetry.read, not .write: every user of the editor, a read-only one too, uses its features, and
  // all this route can do is add counts of names from closed lists to a group the consent covers.
  app.get(EDITOR_ROUTE, whileInstalled, RED.auth.needsPermission('telemetry.read'), (_req: Request, res: Response) => {
    if (!target()) return unavailable(res);
    res.json(editorUsage().EDITOR_LISTS);
  });

  app.post(EDITOR_ROUTE, whileInstalled, RED.auth.needsPermission('telemetry.read'), (req: Request, res: Response) => {
    const service = target();
    if (!service) return unavailable(res);
    const counts = editorUsage().readEditorCounts(req.body);
    if (!counts) return fail(res, 'invalid_usage');
    const outcome = service.recordEditorUsage(counts);
    if (outcome === 'recorded') return void res.status(204).end();
    if (outcome === 'not-covered') return fail(res, 'not_covered');
    fail(res, 'internal', { error: log.text('api.usage-not-saved') });
  });
  return true;
}
