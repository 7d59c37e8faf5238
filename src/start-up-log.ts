import { Decision, displayUrl, Options, Problem } from './config';
import { disclosure } from './disclosure';
import type { Logger } from './log';
import { optOutEntry, optOutPath } from './opt-out-file';

/** What the start-up log states. */
export interface StartFacts {
  problems: readonly Problem[];
  options: Options;
  decision: Decision;
  userDir: string | undefined;
  /** When the next report is due (absolute ms), or null when none is scheduled. */
  nextAt: number | null;
  /** False when Node-RED offers no runtime settings storage: choices then last until restart. */
  persistent: boolean;
}

/**
 * What the log says at start: a warning for each setting that could not be
 * used, for an opt-out path that is not a plain file, and for a choice that
 * cannot be stored; and the disclosure block, shown whether telemetry is on or off.
 */
export function logStart(log: Logger, facts: StartFacts): void {
  const { problems, options } = facts;
  for (const problem of problems) {
    log.warn(`problem.${problem.code}`, { ...problem, outcome: log.text(`outcome.${problem.outcome}`, { ...problem }) });
  }
  // A warning about the url or the whole section has already said that nothing can be sent.
  const urlExplained = problems.some((p) => p.setting === 'telemetry' || p.setting === 'telemetry.url' || (p.setting === 'telemetry.enabled' && p.code === 'unreadable'));
  if (!options.url && !urlExplained) log.warn('no-url');
  const optOutFile = optOutPath(facts.userDir);
  const optOut = facts.userDir === undefined ? null : optOutEntry(optOutFile);
  if (optOut && optOut !== 'file') {
    log.warn('opt-out-not-file', { file: optOutFile, kind: log.text(`opt-out-kind.${optOut}`), outcome: log.text('outcome.off') });
  }
  const block = disclosure(facts.decision, options, { destination: displayUrl(options.url), optOutFile, nextAt: facts.nextAt }, (key, subs) => log.text(key, subs));
  log.info('disclosure.block', { block });
  if (!facts.persistent) log.warn('not-persistent');
}
