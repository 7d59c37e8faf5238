/**
 * Publishes the status to the editor once per turn of the event loop, however
 * many changes asked for it in that turn: a deploy stops and starts flows and
 * re-arms the schedule, and each status holds the whole preview, so building
 * it once instead of five times is most of what a deploy costs the plugin.
 */
export class StatusPublisher {
  private queued = false;
  private stopped = false;

  constructor(private readonly publishNow: () => void) {}

  /** The status changed: it is published at the end of this turn (after the current task's microtasks). */
  changed(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      // Once stopped (Node-RED stopping, the plugin removed), a retained status would outlive it.
      if (!this.stopped) this.publishNow();
    });
  }

  stop(): void {
    this.stopped = true;
  }
}
