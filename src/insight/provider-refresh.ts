import { errorMessage, Logger } from '../log';
import type { ProviderInfo } from '../status';
import type { InsightSources } from './sources';

/** The metric provider plugins installed, and asking them afresh with one warning per provider that fails. */
export class ProviderRefresh {
  /** Providers already warned about in this process: one warning each. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly insight: InsightSources | undefined,
    private readonly log: Logger,
  ) {}

  /** The providers installed now; none without insight sources. */
  list(): ProviderInfo[] {
    return this.insight?.providers().map(({ id, name }) => ({ id, name })) ?? [];
  }

  /** Asks providers afresh; a throwing, slow or invalid one is skipped with one warning. */
  async refresh(ids: readonly string[]): Promise<void> {
    const insight = this.insight;
    if (!insight || ids.length === 0) return;
    try {
      for (const result of await insight.refreshProviders(ids)) {
        if (result.ok || this.warned.has(result.id)) continue;
        this.warned.add(result.id);
        this.log.warn('provider-skipped', { id: result.id, problem: this.log.text(`provider-problem.${result.problem}`) });
      }
    } catch (err) {
      this.log.debug('unexpected', { error: errorMessage(err) });
    }
  }
}
