import { Decision, Options } from './config';
import { formatDuration } from '@node-red-telemetry/protocol/durations';
import type { Logger } from './log';
import { firstReportBy } from './schedule';
import { fieldsUrlOf } from './status';

/**
 * The locale key that states a decision in words: `state.on-settings`, `state.pending`...
 * Without a collector nothing can be sent and the editor asks nothing, whatever was decided,
 * unless telemetry is off anyway.
 */
export function stateKey(decision: Decision, hasUrl = true): string {
  if (!hasUrl && decision.enabled !== false) return 'state.no-url';
  if (decision.enabled === null) return 'state.pending';
  return `state.${decision.enabled ? 'on' : 'off'}-${decision.reason}`;
}

/** What the block needs beyond the decision: where reports go and when the next one does. */
export interface DisclosureFacts {
  destination: string | null;
  optOutFile: string;
  /** When the next report is due (absolute ms), or null when none is scheduled. */
  nextAt: number | null;
}

/** When the first report after this start goes: a random moment in the spread window, if there is one. */
function firstReport(options: Options, interval: string, t: Logger['text']): string {
  const initialDelay = formatDuration(options.initialDelay);
  const by = firstReportBy(options.initialDelay);
  if (by === options.initialDelay) return t('disclosure.when', { initialDelay, interval });
  return t('disclosure.when-spread', { initialDelay, firstBy: formatDuration(by), interval });
}

/**
 * The startup block: whether telemetry is on, off (and why) or waiting, what
 * is collected, where it goes and how to opt out. Shown also when off, so
 * that nobody has to read the source to know what this plugin does.
 */
export function disclosure(decision: Decision, options: Options, facts: DisclosureFacts, t: Logger['text']): string {
  const interval = formatDuration(options.interval);
  // After a restart the next report is due where the daily rhythm says, not initialDelay after start.
  const when =
    facts.nextAt !== null
      ? t('disclosure.when-next', { at: new Date(facts.nextAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), interval })
      : firstReport(options, interval, t);
  return [
    t('disclosure.title', { state: t(stateKey(decision, facts.destination !== null)) }),
    // "Nothing about your flows" is no longer true once a group such as `flows` is listed.
    `  ${t(options.include.length > 0 ? 'disclosure.what-insight' : 'disclosure.what')}`,
    `  ${facts.destination ? t('disclosure.where', { url: facts.destination }) : t('disclosure.nowhere')}`,
    // Where the collector itself says what each field is for, so the log points at more than a url.
    ...(facts.destination ? [`  ${t('disclosure.fields', { url: fieldsUrlOf(facts.destination) ?? '' })}`] : []),
    `  ${when}`,
    ...(options.include.length > 0 ? [`  ${t('disclosure.include', { groups: options.include.join(', ') })}`] : []),
    `  ${t('disclosure.opt-out', { file: facts.optOutFile })}`,
  ].join('\n');
}
