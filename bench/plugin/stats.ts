/** Small statistics and printing shared by the plugin benchmarks. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const MIB = 1024 * 1024;

export function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

export function signedMib(bytes: number): string {
  return `${bytes >= 0 ? '+' : ''}${(bytes / MIB).toFixed(2)}`;
}

/** One printed row: a figure, its baseline, the value, and the target with whether it held. */
export interface Row {
  figure: string;
  baseline: string;
  value: string;
  target?: string;
  met?: boolean;
}

export function printRows(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  const widths = [0, 0, 0];
  for (const r of rows) {
    widths[0] = Math.max(widths[0], r.figure.length);
    widths[1] = Math.max(widths[1], r.baseline.length);
    widths[2] = Math.max(widths[2], r.value.length);
  }
  for (const r of rows) {
    const verdict = r.target === undefined ? '' : `  target ${r.target}: ${r.met ? 'met' : 'MISSED'}`;
    console.log(`  ${r.figure.padEnd(widths[0])}  ${r.baseline.padEnd(widths[1])}  ${r.value.padEnd(widths[2])}${verdict}`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
