import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { Clock } from './clock';
import { Decision, displayUrl, envProblems, isFixed, Options, Problem, Reason, resolveDecision, resolveSettings } from './config';
import type { ConsentStore } from './consent-store';
import { disclosure } from './disclosure';
import { formatDuration } from './durations';
import { errorMessage, Logger } from './log';
import { buildReport } from './report';
import { LastReport, nextReportAt, Timer } from './schedule';
import { Report } from './schema';
import type { SendOutcome } from './transport';
import { Offer, offerUpdate, parseAnswer, reviewOffer, sameOffer } from './updates';

export const OPT_OUT_FILE = '.opt-out-from-anonymous-statistics';

/** Retained comms topics the editor subscribes to. */
export const TOPIC_STATUS = 'node-red-telemetry/status';
export const TOPIC_UPDATE = 'node-red-telemetry/update';

export interface Sender {
  send(url: URL, payload: unknown, signal: AbortSignal, limits: { attemptTimeoutMs: number }): Promise<SendOutcome>;
  close(): Promise<void>;
}

export interface ServiceDeps {
  /** The `telemetry` section of settings.js, as given, or as {@link readSection} marked it unreadable. */
  settingsSection: unknown;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  userDir: string | undefined;
  nodeRedVersion: string;
  /** The Node.js an offered update must run on; this process's by default. */
  nodejsVersion?: string;
  store: ConsentStore;
  log: Logger;
  /** Publishes a retained message to every editor. */
  publish(topic: string, data: unknown): void;
  sender: Sender;
  clock: Clock;
  /** Log the exact payload instead of sending it (NODE_RED_TELEMETRY_DEBUG). */
  dryRun: boolean;
}

/** What the admin API returns and the editor shows. */
export interface Status {
  enabled: boolean | null;
  reason: Reason;
  url: string | null;
  update: Offer | null;
  lastReport: { at: string; ok: boolean } | null;
  nextReportAt: string | null;
  /** The configured rhythm, in the syntax of the settings ("30m", "24h"). */
  schedule: { initialDelay: string; interval: string };
  preview: Report;
}

export type ChoiceResult =
  | { ok: true; status: Status }
  | { ok: false; code: 'decision_fixed'; decision: Decision }
  | { ok: false; code: 'not_saved'; error: string; status: Status };

/**
 * The running telemetry: resolves the decision, keeps the schedule armed only
 * while telemetry is on, sends, and turns answers into update offers.
 */
export class TelemetryService {
  private readonly options: Options;
  private readonly settingsEnabled: boolean | undefined;
  private readonly problems: Problem[];
  private readonly startedAt: number;
  private readonly timer: Timer;
  /** The last attempt, dry runs included; the persisted one counts only real transmissions. */
  private last: LastReport | null;
  private inFlight: AbortController | null = null;
  private paused = false;
  private stopped = false;

  constructor(private readonly deps: ServiceDeps) {
    const resolved = resolveSettings(deps.settingsSection);
    this.options = resolved.options;
    this.settingsEnabled = resolved.enabled;
    this.problems = [...resolved.problems, ...envProblems(deps.env, resolved.enabled)];
    this.startedAt = deps.clock.now();
    this.timer = new Timer(deps.clock);
    this.last = deps.store.get().lastReport ?? null;
  }

  private get optOutFile(): string {
    return path.join(this.deps.userDir ?? '.', OPT_OUT_FILE);
  }

  /** Resolved afresh on every use, so an opt-out file created at run time counts at once. */
  decision(): Decision {
    return resolveDecision({
      argv: this.deps.argv,
      env: this.deps.env,
      optOutFile: this.deps.userDir !== undefined && optOutEntry(this.optOutFile) !== null,
      settingsEnabled: this.settingsEnabled,
      storedChoice: this.deps.store.get().choice,
    });
  }

  start(): void {
    const { log, store } = this.deps;
    for (const problem of this.problems) {
      log.warn(`problem.${problem.code}`, { ...problem, outcome: log.text(`outcome.${problem.outcome}`, { ...problem }) });
    }
    // A warning about the url or the whole section has already said that nothing can be sent.
    const urlExplained = this.problems.some((p) => p.setting === 'telemetry' || p.setting === 'telemetry.url' || (p.setting === 'telemetry.enabled' && p.code === 'unreadable'));
    if (!this.options.url && !urlExplained) log.warn('no-url');
    const optOut = this.deps.userDir === undefined ? null : optOutEntry(this.optOutFile);
    if (optOut && optOut !== 'file') {
      log.warn('opt-out-not-file', { file: this.optOutFile, kind: log.text(`opt-out-kind.${optOut}`), outcome: log.text('outcome.off') });
    }
    const destination = displayUrl(this.options.url);
    log.info('disclosure.block', { block: disclosure(this.decision(), this.options, destination, this.optOutFile, log.text) });
    if (!store.persistent) log.warn('not-persistent');
    const kept = store.get().update;
    const reviewed = kept ? reviewOffer(this.deps.nodeRedVersion, kept, this.nodejs) : null;
    if (kept && !sameOffer(kept, reviewed)) {
      this.persist((state) => ({ ...state, update: reviewed ?? undefined }));
    } else if (store.needsWrite) {
      this.persist((state) => state);
    }
    this.publishUpdate();
    this.reschedule();
  }

  /** The exact payload the next report carries. */
  preview(): Report {
    return buildReport(this.deps.store.get().instanceId, this.deps.nodeRedVersion);
  }

  status(): Status {
    const decision = this.decision();
    const { lastReport } = this.deps.store.get();
    const due = decision.enabled === true ? this.timer.due : null;
    return {
      enabled: decision.enabled,
      reason: decision.reason,
      url: displayUrl(this.options.url),
      update: this.currentOffer(),
      lastReport: lastReport ? { at: new Date(lastReport.at).toISOString(), ok: lastReport.ok } : null,
      nextReportAt: due === null ? null : new Date(due).toISOString(),
      schedule: { initialDelay: formatDuration(this.options.initialDelay), interval: formatDuration(this.options.interval) },
      preview: this.preview(),
    };
  }

  /** Records a user's choice and applies it at once: arms the schedule, or cancels it and any send under way. */
  async setChoice(enabled: boolean): Promise<ChoiceResult> {
    const decision = this.decision();
    if (isFixed(decision)) return { ok: false, code: 'decision_fixed', decision };
    let saveError: string | null = null;
    try {
      await this.deps.store.update((state) => ({ ...state, choice: enabled }));
    } catch (err) {
      saveError = errorMessage(err);
      this.deps.log.error('save-failed', { error: saveError });
    }
    if (!enabled) this.inFlight?.abort();
    this.deps.log.info(enabled ? 'consent-given' : 'consent-withdrawn');
    this.reschedule();
    const status = this.status();
    return saveError === null ? { ok: true, status } : { ok: false, code: 'not_saved', error: saveError, status };
  }

  /** The runtime stopped its flows (or is shutting down): hold the schedule. */
  pause(): void {
    this.paused = true;
    this.inFlight?.abort();
    this.reschedule();
  }

  resume(): void {
    this.paused = false;
    this.reschedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer.clear();
    this.inFlight?.abort();
    await this.deps.sender.close();
  }

  private reschedule(): void {
    this.timer.clear();
    const url = this.options.url;
    // A report under way re-arms the timer when it ends; arming now could send twice.
    if (!this.stopped && !this.paused && !this.inFlight && url && this.decision().enabled === true) {
      const due = nextReportAt({
        startedAt: this.startedAt,
        now: this.deps.clock.now(),
        initialDelay: this.options.initialDelay,
        interval: this.options.interval,
        last: this.last,
      });
      this.timer.arm(due, () => void this.report(url));
    }
    this.publishStatus();
  }

  private async report(url: URL): Promise<void> {
    const { log, clock } = this.deps;
    try {
      if (this.decision().enabled !== true) return;
      const payload = this.preview();
      if (this.deps.dryRun) {
        log.info('dry-run', { payload: JSON.stringify(payload) });
        this.last = { at: clock.now(), ok: true };
        return;
      }
      log.debug('payload', { payload: JSON.stringify(payload) });
      const controller = new AbortController();
      this.inFlight = controller;
      const outcome = await this.deps.sender.send(url, payload, controller.signal, { attemptTimeoutMs: this.options.timeout });
      this.inFlight = null;
      // Withdrawn or stopped mid-flight: nothing was agreed to be recorded.
      if (controller.signal.aborted) return;
      const destination = displayUrl(url);
      if (outcome.ok) log.info('sent', { url: destination, status: outcome.status, attempts: outcome.attempts });
      else log.info('send-failed', { url: destination, error: outcome.error, attempts: outcome.attempts });
      this.last = { at: clock.now(), ok: outcome.ok };
      const lastReport = this.last;
      this.persist((state) => ({ ...state, lastReport }));
      if (outcome.ok) this.applyAnswer(outcome.answer, outcome.answerProblem);
    } catch (err) {
      log.error('unexpected', { error: errorMessage(err) });
    } finally {
      this.inFlight = null;
      this.reschedule();
    }
  }

  private applyAnswer(body: unknown, problem: string | undefined): void {
    const { log } = this.deps;
    const answer = problem ? null : parseAnswer(body);
    if (!answer) {
      log.debug('answer-ignored', { problem: problem ?? 'not-versions' });
      return;
    }
    if (!this.options.updateNotification) return;
    const offer = offerUpdate(this.deps.nodeRedVersion, answer, this.nodejs);
    if (sameOffer(offer, this.deps.store.get().update)) return;
    this.persist((state) => ({ ...state, update: offer ?? undefined }));
    if (offer) {
      if (offer.node) log.info('update-needs-node', { version: offer.version, node: offer.node, running: this.nodejs });
      else log.info('update-available', { version: offer.version });
      if (offer.newer) log.info('update-needs-node', { ...offer.newer, running: this.nodejs });
    }
    this.publishUpdate();
  }

  private get nodejs(): string {
    return this.deps.nodejsVersion ?? process.versions.node;
  }

  private currentOffer(): Offer | null {
    const kept = this.deps.store.get().update;
    return this.options.updateNotification && kept ? { ...kept } : null;
  }

  private persist(change: Parameters<ConsentStore['update']>[0]): void {
    this.deps.store.update(change).catch((err: unknown) => this.deps.log.warn('save-failed', { error: errorMessage(err) }));
  }

  private publishUpdate(): void {
    this.safePublish(TOPIC_UPDATE, this.currentOffer() ?? { version: null });
  }

  private publishStatus(): void {
    this.safePublish(TOPIC_STATUS, this.status());
  }

  private safePublish(topic: string, data: unknown): void {
    try {
      this.deps.publish(topic, data);
    } catch (err) {
      this.deps.log.debug('publish-failed', { error: errorMessage(err) });
    }
  }
}

/** What is at the opt-out path, if anything. */
export type OptOutEntry = 'file' | 'directory' | 'dangling-link' | 'other';

/**
 * Anything at the opt-out path counts, even a directory or a link to nothing:
 * whoever put it there meant to opt out. Null only when nothing is there.
 */
export function optOutEntry(file: string): OptOutEntry | null {
  let entry;
  try {
    entry = lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    // Unreadable is not absent: off is the safe reading.
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : 'other';
  }
  if (entry.isSymbolicLink()) {
    try {
      entry = statSync(file);
    } catch {
      return 'dangling-link';
    }
  }
  return entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other';
}
