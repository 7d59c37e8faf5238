import { Decision, Options } from './config';
import { formatDuration } from './durations';
import type { Logger } from './log';

/** The locale key that states a decision in words: `state.on-settings`, `state.pending`... */
export function stateKey(decision: Decision): string {
  if (decision.enabled === null) return 'state.pending';
  return `state.${decision.enabled ? 'on' : 'off'}-${decision.reason}`;
}

/**
 * The startup block: whether telemetry is on, off (and why) or waiting, what
 * is collected, where it goes and how to opt out. Shown also when off, so
 * that nobody has to read the source to know what this plugin does.
 */
export function disclosure(decision: Decision, options: Options, destination: string | null, optOutFile: string, t: Logger['text']): string {
  const when = t('disclosure.when', {
    initialDelay: formatDuration(options.initialDelay),
    interval: formatDuration(options.interval),
  });
  return [
    t('disclosure.title', { state: t(stateKey(decision)) }),
    // "Nothing about your flows" is no longer true once a group such as `flows` is listed.
    `  ${t(options.include.length > 0 ? 'disclosure.what-insight' : 'disclosure.what')}`,
    `  ${destination ? t('disclosure.where', { url: destination }) : t('disclosure.nowhere')}`,
    `  ${when}`,
    ...(options.include.length > 0 ? [`  ${t('disclosure.include', { groups: options.include.join(', ') })}`] : []),
    `  ${t('disclosure.opt-out', { file: optOutFile })}`,
  ].join('\n');
}
