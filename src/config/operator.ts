/** The longest `telemetry.operator` shown: a name such as "ACME IT", not a paragraph. */
export const MAX_OPERATOR_LENGTH = 60;

/**
 * `telemetry.operator` checked: one line of 1 to 60 characters once trimmed, naming who receives
 * the reports ("ACME IT", "the Node-RED project"). The editor and the log show it beside the
 * destination, so a control character (a line break that could fake a log line), a bidirectional
 * override (text that reads other than it is) or an empty name is refused.
 */
export function operatorName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.trim();
  // Counted in code points, as a person reads it: an emoji is one character, not two.
  const length = [...name].length;
  if (length === 0 || length > MAX_OPERATOR_LENGTH || /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u.test(name)) return null;
  return name;
}
