import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { Clock } from './clock';
import { Decision, displayUrl, envProblems, isFixed, Options, Problem, resolveDecision, resolveSettings } from './config';
import { ConsentStore, newInstanceId } from './consent-store';
import { disclosure } from './disclosure';
import { formatDuration } from '@node-red-telemetry/protocol';
import { errorMessage, Logger } from './log';
import { coverage, Coverage, providerItem } from './insight/coverage';
import { QueueSnapshot } from './insight/event-queue';
import { crashEvent, deployEvent, revisionOf, simpleEvent, watchProcess } from './insight/lifecycle';
import type { InsightSources } from './insight/sources';
import { buildReport } from './report';
import { LastReport, nextReportAt, Timer } from './schedule';
import { FullReport, InsightGroup, LifecycleEvent } from '@node-red-telemetry/protocol';
import type { SendOutcome } from './transport';
import { Offer, offerUpdate, parseAnswer, reviewOffer, sameOffer } from './updates';
import type { ChoiceOptions, Erasure, ProviderInfo, Status } from './status';

export type { ChoiceOptions, Erasure, ProviderInfo, Status } from './status';

export const OPT_OUT_FILE = '.opt-out-from-anonymous-statistics';

/** Retained comms topics the editor subscribes to. */
export const TOPIC_STATUS = 'node-red-telemetry/status';
export const TOPIC_UPDATE = 'node-red-telemetry/update';

export interface Sender {
  send(url: URL, payload: unknown, signal: AbortSignal, limits: { attemptTimeoutMs: number }): Promise<SendOutcome>;
  /** DELETE of what the collector holds for the instance at `url`. */
  erase(url: URL, signal: AbortSignal, limits: { attemptTimeoutMs: number }): Promise<SendOutcome>;
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
  /** Where the opt-in groups are read from; without it only the base payload exists. */
  insight?: InsightSources;
  /** Hook the process for crash and stop events (the real plugin does; unit tests need not). */
  watchProcess?: boolean;
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
  /** The flow configuration's revision last seen, to tell a deploy from a reload, Stop or Start. */
  private revision: string | null = null;
  private erasure: Erasure | null = null;
  private erasing: AbortController | null = null;
  /** Providers already warned about in this process: one warning each. */
  private readonly warnedProviders = new Set<string>();

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
    const decision = this.decision();
    const nextAt = this.options.url && decision.enabled === true ? this.dueAt() : null;
    const facts = { destination: displayUrl(this.options.url), optOutFile: this.optOutFile, nextAt };
    log.info('disclosure.block', { block: disclosure(decision, this.options, facts, log.text) });
    if (!store.persistent) log.warn('not-persistent');
    const kept = store.get().update;
    const reviewed = kept ? reviewOffer(this.deps.nodeRedVersion, kept, this.nodejs) : null;
    if (kept && !sameOffer(kept, reviewed)) {
      this.persist((state) => ({ ...state, update: reviewed ?? undefined }));
    } else if (store.needsWrite) {
      this.persist((state) => state);
    }
    this.publishUpdate();
    if (this.options.include.includes('lifecycle') && this.deps.insight?.queue) {
      this.record(simpleEvent('start', this.deps.clock.now()));
      if (this.deps.watchProcess) {
        watchProcess({
          crash: (err) => this.record(crashEvent(err, this.deps.clock.now(), this.deps.userDir)),
          exit: (code) => {
            if (code === 0) this.record(simpleEvent('stop', this.deps.clock.now()));
          },
        });
      }
    }
    this.reschedule();
  }

  /** What may be sent now, and what still needs a "yes". */
  coverage(): Coverage {
    const decision = this.decision();
    const { covered, declined } = this.deps.store.get();
    return coverage({
      include: this.deps.insight ? this.options.include : [],
      providers: this.providerList().map((p) => p.id),
      settingsOn: decision.reason === 'settings' && decision.enabled === true,
      covered: covered ?? [],
      declined: declined ?? [],
    });
  }

  private providerList(): ProviderInfo[] {
    return this.deps.insight?.providers().map(({ id, name }) => ({ id, name })) ?? [];
  }

  /** Queues a lifecycle event, only while telemetry is on and the consent covers the group. */
  private record(event: LifecycleEvent): void {
    const queue = this.deps.insight?.queue;
    if (!queue || this.stopped || this.decision().enabled !== true || !this.coverage().groups.includes('lifecycle')) return;
    queue.append(event);
  }

  /**
   * Node-RED started or stopped flows: at load, for a deploy, a reload, or a
   * user's Stop / Start. Reports go on whatever the flows' state: they
   * describe the instance. Returns whether this was a deploy.
   *
   * A deploy is a new configuration: Node-RED stops the old flows for it
   * (whether or not the new ones can start: missing types) with the new
   * revision, a hash of the flows. A reload, Stop and Start keep the revision.
   */
  flowsChanged(event: unknown, started: boolean): boolean {
    const flows = this.deps.insight?.flowsChanged(event) ?? [];
    const deployed = this.newRevision(revisionOf(event)) && !started;
    const deploy = deployed ? deployEvent((event as { type?: unknown } | undefined)?.type, flows, this.deps.clock.now()) : null;
    if (deploy) this.record(deploy);
    if (started) this.resume();
    // By now every plugin is registered: ask the providers once, so the preview shows their fields;
    // none is asked while nothing can ever be sent (no collector, or switched off).
    if (started && this.options.url && this.decision().enabled !== false) {
      void this.refreshProviders(this.providerList().map((p) => p.id)).then(() => this.publishStatus());
    } else {
      this.publishStatus();
    }
    return deployed;
  }

  /** Node-RED saved or loaded a configuration (`runtime-deploy`, also sent at start and while flows are stopped). */
  deployed(revision: unknown): void {
    if (typeof revision === 'string' && revision !== '') this.newRevision(revision);
  }

  /** Remembers a revision; true when it replaces a different one already seen. */
  private newRevision(revision: string | null): boolean {
    if (revision === null) return false;
    const changed = this.revision !== null && this.revision !== revision;
    this.revision = revision;
    return changed;
  }

  /** Asks providers afresh; a throwing, slow or invalid one is skipped with one warning. */
  private async refreshProviders(ids: readonly string[]): Promise<void> {
    const insight = this.deps.insight;
    if (!insight || ids.length === 0) return;
    try {
      for (const result of await insight.refreshProviders(ids)) {
        if (result.ok || this.warnedProviders.has(result.id)) continue;
        this.warnedProviders.add(result.id);
        this.deps.log.warn('provider-skipped', { id: result.id, problem: this.deps.log.text(`provider-problem.${result.problem}`) });
      }
    } catch (err) {
      this.deps.log.debug('unexpected', { error: errorMessage(err) });
    }
  }

  /** The exact payload with every enabled group: what the preview shows and a "yes" agrees to. */
  preview(): FullReport {
    const cov = this.coverage();
    const { declined = [] } = this.deps.store.get();
    const shown = cov.wanted.filter((item) => !declined.includes(item));
    return this.build(
      this.options.include.filter((g) => shown.includes(g)),
      this.providerList().map((p) => p.id).filter((id) => shown.includes(providerItem(id))),
      this.deps.insight?.queue?.snapshot() ?? null,
    );
  }

  private build(groups: readonly InsightGroup[], providers: readonly string[], queued: QueueSnapshot | null): FullReport {
    const { instanceId } = this.deps.store.get();
    const insight = this.deps.insight;
    if (!insight) return buildReport(instanceId, this.deps.nodeRedVersion);
    return buildReport(instanceId, this.deps.nodeRedVersion, { groups, sources: insight, events: queued?.events ?? [], ext: insight.ext(providers) });
  }

  status(): Status {
    const decision = this.decision();
    const { lastReport } = this.deps.store.get();
    const due = decision.enabled === true ? this.timer.due : null;
    const cov = this.coverage();
    return {
      enabled: decision.enabled,
      reason: decision.reason,
      url: displayUrl(this.options.url),
      update: this.currentOffer(),
      lastReport: lastReport ? { at: new Date(lastReport.at).toISOString(), ok: lastReport.ok } : null,
      nextReportAt: due === null ? null : new Date(due).toISOString(),
      schedule: { initialDelay: formatDuration(this.options.initialDelay), interval: formatDuration(this.options.interval) },
      preview: this.preview(),
      include: this.deps.insight ? [...this.options.include] : [],
      providers: this.providerList(),
      covered: decision.enabled === true ? [...cov.groups, ...cov.providers.map(providerItem)] : [],
      pending: cov.pending,
      erasure: this.erasure ? { ...this.erasure } : null,
    };
  }

  /** Records a user's choice and applies it at once: arms the schedule, or cancels it and any send under way. */
  async setChoice(enabled: boolean, options: ChoiceOptions = {}): Promise<ChoiceResult> {
    const decision = this.decision();
    // settings.js switched it on and covers what it lists; a provider still needs its own "yes".
    const widening = enabled && decision.reason === 'settings' && decision.enabled === true;
    if (isFixed(decision) && !widening) return { ok: false, code: 'decision_fixed', decision };
    const wanted = this.coverage().wanted;
    // A PUT that only declines covers nothing new; one that names nothing covers all it would show.
    const covers = (options.covers ?? (options.declines ? [] : wanted)).filter((item) => wanted.includes(item));
    const declines = (options.declines ?? []).filter((item) => wanted.includes(item) && !covers.includes(item));
    let saveError: string | null = null;
    try {
      await this.deps.store.update((state) => {
        if (!enabled) return { ...state, choice: false, covered: undefined, declined: undefined };
        const covered = [...new Set([...(state.covered ?? []), ...covers])].filter((item) => !declines.includes(item));
        const declined = [...new Set([...(state.declined ?? []), ...declines])].filter((item) => !covered.includes(item));
        return { ...state, ...(widening ? {} : { choice: true }), covered, declined };
      });
    } catch (err) {
      saveError = errorMessage(err);
      this.deps.log.error('save-failed', { error: saveError });
    }
    if (!enabled) {
      this.inFlight?.abort();
      // Withdrawn: what was queued was agreed to be sent, not kept.
      this.deps.insight?.queue?.clear();
    }
    if (widening) this.deps.log.info('consent-widened', { items: covers.join(', ') || '-' });
    else this.deps.log.info(enabled ? 'consent-given' : 'consent-withdrawn');
    if (!enabled && options.erase) this.startErasure();
    this.reschedule();
    const status = this.status();
    return saveError === null ? { ok: true, status } : { ok: false, code: 'not_saved', error: saveError, status };
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

  /**
   * Asks the collector to delete this instance's reports, and starts a new
   * instance id at once, so that no later report can be linked to the erased
   * ones. The result is logged and published with the status.
   */
  private startErasure(): void {
    const { log, clock } = this.deps;
    const oldId = this.deps.store.get().instanceId;
    this.persist((state) => ({ ...state, instanceId: newInstanceId(), lastReport: undefined }));
    this.last = null;
    this.erasing?.abort();
    const at = (): string => new Date(clock.now()).toISOString();
    const url = this.options.url;
    if (!url) {
      this.erasure = { state: 'failed', at: at(), error: 'no-url' };
      log.warn('erase-failed', { url: '-', error: log.text('erase-no-url') });
      return;
    }
    const target = new URL(url.href);
    target.pathname = `${target.pathname.replace(/\/+$/, '')}/${encodeURIComponent(oldId)}`;
    target.search = '';
    const destination = displayUrl(target);
    const controller = new AbortController();
    this.erasing = controller;
    this.erasure = { state: 'running', at: at() };
    log.info('erase-started', { url: destination });
    this.deps.sender
      .erase(target, controller.signal, { attemptTimeoutMs: this.options.timeout })
      .then(
        (outcome) => {
          if (outcome.ok) {
            const deleted = (outcome.answer as { deleted?: unknown } | undefined)?.deleted;
            const count = typeof deleted === 'number' && Number.isInteger(deleted) && deleted >= 0 ? deleted : 0;
            this.erasure = { state: 'done', at: at(), deleted: count };
            log.info('erased', { url: destination, deleted: count, attempts: outcome.attempts });
          } else {
            this.erasure = { state: 'failed', at: at(), error: outcome.error };
            log.warn('erase-failed', { url: destination, error: outcome.error });
          }
        },
        (err: unknown) => {
          this.erasure = { state: 'failed', at: at(), error: errorMessage(err) };
          log.warn('erase-failed', { url: destination, error: errorMessage(err) });
        },
      )
      .finally(() => {
        if (this.erasing === controller) this.erasing = null;
        this.publishStatus();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer.clear();
    this.inFlight?.abort();
    this.erasing?.abort();
    if (this.deps.watchProcess) watchProcess(null);
    await this.deps.sender.close();
  }

  /** When the next report is due, by the restart-safe rhythm. */
  private dueAt(): number {
    return nextReportAt({
      startedAt: this.startedAt,
      now: this.deps.clock.now(),
      initialDelay: this.options.initialDelay,
      interval: this.options.interval,
      last: this.last,
    });
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
      const cov = this.coverage();
      // Bounded by the providers' timeout; nothing is asked of a provider the consent does not cover.
      await this.refreshProviders(cov.providers);
      if (controller.signal.aborted || this.decision().enabled !== true) return;
      const queued = cov.groups.includes('lifecycle') ? (this.deps.insight?.queue?.snapshot() ?? null) : null;
      const payload = this.build(cov.groups, cov.providers, queued);
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
      this.persist((state) => ({ ...state, lastReport }));
      if (outcome.ok && queued) this.deps.insight?.queue?.acknowledge(queued);
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
