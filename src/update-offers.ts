import { TOPIC_UPDATE, Publish } from './comms';
import { ConsentStore, persist } from './consent/store';
import type { Logger } from './log';
import type { Offer } from './updates';

// Reading answers and offers needs semver: loaded when there is an offer or an answer, never by an
// instance that has not reported yet.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const updates = (): typeof import('./updates') => require('./updates') as typeof import('./updates');

export interface UpdateOfferDeps {
  store: ConsentStore;
  log: Logger;
  nodeRedVersion: string;
  /** The Node.js an offered update must run on. */
  nodejs: string;
  /** `telemetry.updateNotification`: whether answers become offers, and offers are shown. */
  notify: boolean;
  /** Publishes to the editor; never throws. */
  publish: Publish;
}

/**
 * The update offer: kept across restarts, replaced by each answer that holds
 * versions, logged, and published to the editor. What an answer means is
 * decided in updates.ts (pure); this keeps and tells it.
 */
export class UpdateOffers {
  constructor(private readonly deps: UpdateOfferDeps) {}

  /** At start: a kept offer the running versions have overtaken is dropped or narrowed. True when that was saved. */
  review(): boolean {
    const kept = this.deps.store.get().update;
    if (!kept) return false;
    const { reviewOffer, sameOffer } = updates();
    const reviewed = reviewOffer(this.deps.nodeRedVersion, kept, this.deps.nodejs);
    if (sameOffer(kept, reviewed)) return false;
    persist(this.deps.store, this.deps.log, (state) => ({ ...state, update: reviewed ?? undefined }));
    return true;
  }

  /** The offer to show, or null. */
  current(): Offer | null {
    const kept = this.deps.store.get().update;
    return this.deps.notify && kept ? { ...kept } : null;
  }

  /** A collector's answer to a report that was accepted, or why it could not be read. */
  answer(body: unknown, problem: string | undefined): void {
    const { log } = this.deps;
    const { offerUpdate, parseAnswer, sameOffer } = updates();
    const answer = problem ? null : parseAnswer(body);
    if (!answer) {
      log.debug('answer-ignored', { problem: problem ?? 'not-versions' });
      return;
    }
    if (!this.deps.notify) return;
    const running = this.deps.nodejs;
    const offer = offerUpdate(this.deps.nodeRedVersion, answer, running);
    if (sameOffer(offer, this.deps.store.get().update)) return;
    persist(this.deps.store, log, (state) => ({ ...state, update: offer ?? undefined }));
    if (offer) {
      if (offer.node) log.info('update-needs-node', { version: offer.version, node: offer.node, running });
      else log.info('update-available', { version: offer.version });
      if (offer.newer) log.info('update-needs-node', { ...offer.newer, running });
    }
    this.publish();
  }

  publish(): void {
    this.deps.publish(TOPIC_UPDATE, this.current() ?? { version: null });
  }
}
