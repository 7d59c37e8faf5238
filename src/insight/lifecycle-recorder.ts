import type { LifecycleEvent } from '@node-red-telemetry/protocol';
import type { Clock } from '../clock';
import type { EventQueue } from './event-queue';

// What the group records with is loaded once the group is listed: most instances never record.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const events = (): typeof import('./lifecycle') => require('./lifecycle') as typeof import('./lifecycle');

/** The revision of the configuration a `flows:*` event carries (Node-RED's hash of the flows), or null. */
export function revisionOf(event: unknown): string | null {
  const rev = (event as { config?: { rev?: unknown } } | undefined)?.config?.rev;
  return typeof rev === 'string' && rev !== '' ? rev : null;
}

export interface RecorderDeps {
  /** Where events wait for the next report; null without a user directory (or without insight). Opened on first use. */
  queue(): EventQueue | null;
  clock: Clock;
  userDir: string | undefined;
  /** Whether settings.js lists the `lifecycle` group. */
  listed: boolean;
  /** Whether an event may be queued now: telemetry on, and the consent covering the group. */
  allowed(): boolean;
  /** Hook the process for crash and stop events (the real plugin does; unit tests need not). */
  watchProcess: boolean;
}

/**
 * Records the instance's lifecycle as it happens: its start, deploys, crashes
 * and clean stops. It also tells a deploy from a reload, Stop or Start, which
 * the schedule needs whether or not anything is recorded.
 */
export class LifecycleRecorder {
  private stopped = false;
  /** The flow configuration's revision last seen, to tell a deploy from a reload, Stop or Start. */
  private revision: string | null = null;

  constructor(private readonly deps: RecorderDeps) {}

  start(): void {
    if (!this.deps.listed || !this.deps.queue()) return;
    const { clock } = this.deps;
    const { crashEvent, simpleEvent, watchProcess } = events();
    this.record(() => simpleEvent('start', clock.now()));
    if (this.deps.watchProcess) {
      watchProcess({
        crash: (err) => this.record(() => crashEvent(err, clock.now(), this.deps.userDir)),
        exit: (code) => {
          if (code === 0) this.record(() => simpleEvent('stop', clock.now()));
        },
      });
    }
  }

  /**
   * Node-RED started or stopped flows, now configured as `flows`. Returns
   * whether this was a deploy: a new configuration, for which Node-RED stops
   * the old flows (whether or not the new ones can start: missing types) with
   * the new revision, a hash of the flows. A reload, Stop and Start keep the revision.
   */
  flowsChanged(event: unknown, flows: readonly unknown[], started: boolean): boolean {
    const deployed = this.newRevision(revisionOf(event)) && !started;
    if (deployed) this.record(() => events().deployEvent((event as { type?: unknown } | undefined)?.type, flows, this.deps.clock.now()));
    return deployed;
  }

  /** Node-RED saved or loaded a configuration (`runtime-deploy`, also sent at start and while flows are stopped). */
  deployed(revision: unknown): void {
    if (typeof revision === 'string' && revision !== '') this.newRevision(revision);
  }

  stop(): void {
    this.stopped = true;
    // Only a recorder that started hooked the process (and loaded the module that did it).
    if (this.deps.watchProcess && this.deps.listed && this.deps.queue()) events().watchProcess(null);
  }

  /** Remembers a revision; true when it replaces a different one already seen. */
  private newRevision(revision: string | null): boolean {
    if (revision === null) return false;
    const changed = this.revision !== null && this.revision !== revision;
    this.revision = revision;
    return changed;
  }

  /**
   * Queues a lifecycle event, only while the group is listed, telemetry is on and the consent covers
   * the group; the event is made only then (a deploy's counts walk the whole configuration).
   */
  private record(make: () => LifecycleEvent | null): void {
    if (!this.deps.listed || this.stopped || !this.deps.allowed()) return;
    const queue = this.deps.queue();
    const event = queue ? make() : null;
    if (queue && event) queue.append(event);
  }
}
