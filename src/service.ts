import type { Clock } from './clock';
import { Decision, displayUrl, envProblems, Options, Problem, resolveSettings } from './config';
import { Publish, safePublisher, TOPIC_STATUS } from './comms';
import type { ChoiceOptions, ChoiceResult } from './consent/choice';
import { Consent } from './consent/consent';
import { ConsentStore, persist } from './consent/store';
import type { Eraser } from './erasure';
import { LifecycleRecorder } from './insight/lifecycle-recorder';
import { ProviderRefresh } from './insight/provider-refresh';
import type { InsightSources } from './insight/sources';
import { errorMessage, Logger } from './log';
import { EditorRecord, Payloads } from './payload';
import { LastReport, nextReportAt, spreadOffset, Timer } from './schedule';
import { logStart } from './start-up-log';
import { buildStatus, Status } from './status';
import { StatusPublisher } from './status-publisher';
import type { EditorInsight, FullReport } from '@node-red-telemetry/protocol';
import type { Sender } from './transport';
import { UpdateOffers } from './update-offers';

// Names tests and callers know from the service; each lives with its concern.
export type { ChoiceOptions, ChoiceResult } from './consent/choice';
export type { Erasure, ProviderInfo, Status } from './status';
export type { Sender } from './transport';
export { OPT_OUT_FILE, optOutEntry } from './opt-out-file';
export type { OptOutEntry } from './opt-out-file';
export { TOPIC_STATUS, TOPIC_UPDATE } from './comms';

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
  /** Where the opt-in groups are read from; without it only the base payload exists. */
  insight?: InsightSources;
  /** Hook the process for crash and stop events (the real plugin does; unit tests need not). */
  watchProcess?: boolean;
  /** Where the first report's place in the spread window comes from, in [0, 1); Math.random by default. */
  random?: () => number;
}

/**
 * The running telemetry: keeps the schedule armed only while telemetry is on,
 * sends, and hands answers on. What is decided, covered, recorded, erased and
 * offered is each asked of a collaborator; this holds the schedule's state.
 */
export class TelemetryService {
  private readonly options: Options;
  private readonly problems: Problem[];
  private readonly startedAt: number;
  /** How far past `initialDelay` this start's first report goes: drawn once, so that a fleet started together does not report together. */
  private readonly spread: number;
  private readonly timer: Timer;
  /** The last attempt, dry runs included; the persisted one counts only real transmissions. */
  private last: LastReport | null;
  private inFlight: AbortController | null = null;
  private paused = false;
  private stopped = false;
  private readonly publish: Publish;
  private readonly statusOut = new StatusPublisher(() => this.publish(TOPIC_STATUS, this.status()));
  private readonly consent: Consent;
  private readonly providers: ProviderRefresh;
  private readonly payloads: Payloads;
  private readonly lifecycle: LifecycleRecorder;
  /** Made on the first erasure: most instances never ask for one. */
  private eraser: Eraser | null = null;
  private readonly offers: UpdateOffers;

  constructor(private readonly deps: ServiceDeps) {
    const { store, log, insight } = deps;
    const resolved = resolveSettings(deps.settingsSection);
    const options = resolved.options;
    this.options = options;
    this.problems = [...resolved.problems, ...envProblems(deps.env, resolved.enabled)];
    this.startedAt = deps.clock.now();
    this.spread = spreadOffset(options.initialDelay, deps.random ?? Math.random);
    this.timer = new Timer(deps.clock);
    this.last = store.get().lastReport ?? null;
    this.publish = safePublisher((topic, data) => deps.publish(topic, data), log);
    this.providers = new ProviderRefresh(insight, log);
    this.consent = new Consent({
      store,
      log,
      argv: deps.argv,
      env: deps.env,
      userDir: deps.userDir,
      settingsEnabled: resolved.enabled,
      include: insight ? options.include : [],
      providers: () => this.providerIds(),
    });
    this.payloads = new Payloads({ store, nodeRedVersion: deps.nodeRedVersion, insight, include: options.include });
    this.lifecycle = new LifecycleRecorder({
      queue: () => insight?.queue ?? null,
      clock: deps.clock,
      userDir: deps.userDir,
      listed: options.include.includes('lifecycle'),
      allowed: () => this.decision().enabled === true && this.consent.coverage().groups.includes('lifecycle'),
      watchProcess: deps.watchProcess === true,
    });
    const nodejs = deps.nodejsVersion ?? process.versions.node;
    this.offers = new UpdateOffers({ store, log, nodeRedVersion: deps.nodeRedVersion, nodejs, notify: options.updateNotification, publish: this.publish });
  }

  /** Resolved afresh on every use, so an opt-out file created at run time counts at once. */
  decision(): Decision {
    return this.consent.decision();
  }

  start(): void {
    const { log, store } = this.deps;
    const decision = this.decision();
    const nextAt = this.options.url && decision.enabled === true ? this.dueAt() : null;
    logStart(log, { problems: this.problems, options: this.options, decision, userDir: this.deps.userDir, nextAt, persistent: store.persistent });
    if (!this.offers.review() && store.needsWrite) persist(store, log, (state) => state);
    this.offers.publish();
    this.lifecycle.start();
    this.reschedule();
  }

  /**
   * Node-RED started or stopped flows: at load, for a deploy, a reload, or a
   * user's Stop / Start. Reports go on whatever the flows' state: they
   * describe the instance. Returns whether this was a deploy.
   */
  flowsChanged(event: unknown, started: boolean): boolean {
    const flows = this.deps.insight?.flowsChanged(event) ?? [];
    const deployed = this.lifecycle.flowsChanged(event, flows, started);
    if (started) this.resume();
    // By now every plugin is registered: ask the providers once, so the preview shows their fields;
    // none is asked while nothing can ever be sent (no collector, or switched off).
    if (started && this.options.url && this.decision().enabled !== false) {
      void this.providers.refresh(this.providerIds()).then(() => this.publishStatus());
    } else {
      this.publishStatus();
    }
    return deployed;
  }

  /** Node-RED saved or loaded a configuration (`runtime-deploy`, also sent at start and while flows are stopped). */
  deployed(revision: unknown): void {
    this.lifecycle.deployed(revision);
  }

  /** The exact payload with every enabled group: what the preview shows and a "yes" agrees to. */
  preview(): FullReport {
    return this.payloads.preview(this.consent.coverage(), this.providerIds());
  }

  /** Adds an editor's counts (POST /telemetry/editor-usage) to the next report's, only while the consent covers the group. */
  recordEditorUsage(counts: EditorInsight): EditorRecord {
    return this.payloads.recordEditor(counts, this.consent.covers('editor'));
  }

  status(): Status {
    return buildStatus({
      decision: this.decision(),
      options: this.options,
      include: this.deps.insight ? this.options.include : [],
      lastReport: this.deps.store.get().lastReport,
      due: this.timer.due,
      coverage: this.consent.coverage(),
      offer: this.offers.current(),
      preview: this.preview(),
      providers: this.providers.list(),
      erasure: this.eraser?.current() ?? null,
    });
  }

  /** Records a user's choice and applies it at once: arms the schedule, or cancels it and any send under way. */
  async setChoice(enabled: boolean, options: ChoiceOptions = {}): Promise<ChoiceResult> {
    const outcome = await this.consent.choose(enabled, options);
    if (!outcome.ok) return { ok: false, code: 'decision_fixed', decision: outcome.decision };
    if (!enabled) {
      this.inFlight?.abort();
      this.payloads.forget();
      if (options.erase) {
        // The new instance id has sent nothing yet: the store forgets the last report too (Eraser.start).
        this.last = null;
        this.erasure().start();
      }
    }
    this.reschedule();
    const status = this.status();
    return outcome.saveError === null ? { ok: true, status } : { ok: false, code: 'not_saved', error: outcome.saveError, status };
  }

  /**
   * Node-RED may be shutting down (`RED.stop()`): hold the schedule until it
   * shows it is alive (flows start, or it says why they cannot).
   */
  pause(): void {
    this.paused = true;
    this.inFlight?.abort();
    this.reschedule();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.reschedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.statusOut.stop();
    this.timer.clear();
    this.inFlight?.abort();
    this.eraser?.stop();
    this.lifecycle.stop();
    await this.deps.sender.close();
  }

  /** When the next report is due, by the restart-safe rhythm. */
  private dueAt(): number {
    return nextReportAt({
      startedAt: this.startedAt,
      now: this.deps.clock.now(),
      initialDelay: this.options.initialDelay,
      spread: this.spread,
      interval: this.options.interval,
      last: this.last,
    });
  }

  private erasure(): Eraser {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first erasure only
    const { Eraser } = require('./erasure') as typeof import('./erasure');
    const { store, log, clock, sender } = this.deps;
    const ended = (): void => this.publishStatus();
    return (this.eraser ??= new Eraser({ store, log, clock, sender, url: this.options.url, attemptTimeoutMs: this.options.timeout, ended }));
  }

  private reschedule(): void {
    this.timer.clear();
    const url = this.options.url;
    // A report under way re-arms the timer when it ends; arming now could send twice.
    if (!this.stopped && !this.paused && !this.inFlight && url && this.decision().enabled === true) {
      this.timer.arm(this.dueAt(), () => void this.report(url));
    }
    this.publishStatus();
  }

  private async report(url: URL): Promise<void> {
    const { log, clock } = this.deps;
    try {
      if (this.decision().enabled !== true) return;
      // In flight from here: a reschedule meanwhile (a choice, a pause) must not arm a second report.
      const controller = new AbortController();
      this.inFlight = controller;
      const cov = this.consent.coverage();
      // Bounded by the providers' timeout; nothing is asked of a provider the consent does not cover.
      await this.providers.refresh(cov.providers);
      if (controller.signal.aborted || this.decision().enabled !== true) return;
      const { payload, delivered } = this.payloads.forReport(cov.groups, cov.providers);
      if (this.deps.dryRun) {
        log.info('dry-run', { payload: JSON.stringify(payload) });
        this.last = { at: clock.now(), ok: true };
        return;
      }
      log.debug('payload', { payload: JSON.stringify(payload) });
      const outcome = await this.deps.sender.send(url, payload, controller.signal, { attemptTimeoutMs: this.options.timeout });
      this.inFlight = null;
      // Withdrawn or stopped mid-flight: nothing was agreed to be recorded.
      if (controller.signal.aborted) return;
      const destination = displayUrl(url);
      if (outcome.ok) log.info('sent', { url: destination, status: outcome.status, attempts: outcome.attempts });
      else log.info('send-failed', { url: destination, error: outcome.error, attempts: outcome.attempts });
      this.last = { at: clock.now(), ok: outcome.ok };
      const lastReport = this.last;
      persist(this.deps.store, log, (state) => ({ ...state, lastReport }));
      if (outcome.ok) delivered();
      if (outcome.ok) this.offers.answer(outcome.answer, outcome.answerProblem);
    } catch (err) {
      log.error('unexpected', { error: errorMessage(err) });
    } finally {
      this.inFlight = null;
      this.reschedule();
    }
  }

  private providerIds(): string[] {
    return this.providers.list().map((p) => p.id);
  }

  private publishStatus(): void {
    this.statusOut.changed();
  }
}
