import type { InsightGroup } from '@node-red-telemetry/protocol';
import { Decision, resolveDecision } from '../config';
import { errorMessage, Logger } from '../log';
import { optedOut } from '../opt-out-file';
import { ChoiceOptions, mergeChoice, planChoice } from './choice';
import { coverage, Coverage } from './coverage';
import { ConsentStore } from './store';

export interface ConsentDeps {
  store: ConsentStore;
  log: Logger;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  userDir: string | undefined;
  /** `telemetry.enabled` as resolved from settings.js. */
  settingsEnabled: boolean | undefined;
  /** Groups a "yes" may cover: those settings.js lists, or none without insight sources. */
  include: readonly InsightGroup[];
  /** The provider plugins installed now, by id. */
  providers(): string[];
}

/** A choice refused because something outside the editor decides, or recorded (saved or not). */
export type ChoiceOutcome = { ok: false; decision: Decision } | { ok: true; saveError: string | null };

/** The consent as it stands: whether telemetry is on, what a report may carry, and recording a new answer. */
export class Consent {
  constructor(private readonly deps: ConsentDeps) {}

  /** Resolved afresh on every use, so an opt-out file created at run time counts at once. */
  decision(): Decision {
    return resolveDecision({
      argv: this.deps.argv,
      env: this.deps.env,
      optOutFile: optedOut(this.deps.userDir),
      settingsEnabled: this.deps.settingsEnabled,
      storedChoice: this.deps.store.get().choice,
    });
  }

  /** What may be sent now, and what still needs a "yes". */
  coverage(): Coverage {
    const decision = this.decision();
    const { covered, declined } = this.deps.store.get();
    return coverage({
      include: this.deps.include,
      providers: this.deps.providers(),
      settingsOn: decision.reason === 'settings' && decision.enabled === true,
      covered: covered ?? [],
      declined: declined ?? [],
    });
  }

  /** Whether a report may carry `group` now: telemetry on, and the consent covering the group. */
  covers(group: InsightGroup): boolean {
    return this.decision().enabled === true && this.coverage().groups.includes(group);
  }

  /** Records a user's choice in memory at once, then saves it; a failed save is logged and answered. */
  async choose(enabled: boolean, options: ChoiceOptions): Promise<ChoiceOutcome> {
    const decision = this.decision();
    const choice = planChoice(decision, enabled, options, () => this.coverage().wanted);
    if (!choice) return { ok: false, decision };
    let saveError: string | null = null;
    try {
      await this.deps.store.update((state) => mergeChoice(state, choice));
    } catch (err) {
      saveError = errorMessage(err);
      this.deps.log.error('save-failed', { error: saveError });
    }
    if (choice.widening) this.deps.log.info('consent-widened', { items: choice.covers.join(', ') || '-' });
    else this.deps.log.info(enabled ? 'consent-given' : 'consent-withdrawn');
    return { ok: true, saveError };
  }
}
