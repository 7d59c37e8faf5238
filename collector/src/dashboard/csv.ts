/**
 * Pure: CSV (RFC 4180, CRLF) that a spreadsheet opens as data. A cell that
 * starts with =, +, -, @, a tab or a carriage return would be read as a
 * formula by Excel, LibreOffice or Google Sheets, so such text gets a leading
 * apostrophe (OWASP's advice); numbers are written as they are.
 */
export type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * A published count as a CSV cell: the number; "fewer than 5" for a count
 * under the threshold, which is never published; "12 + fewer than 5" for a
 * series' "other" that holds both.
 */
export function countCell(instances: number | null, fewerThan: number | null | undefined): Cell {
  if (fewerThan === null || fewerThan === undefined) return instances;
  return instances === null ? `fewer than ${fewerThan}` : `${instances} + fewer than ${fewerThan}`;
}

/**
 * A download's file name that says what it holds: the subject (a dimension,
 * or "instances"; letters, digits, ".", "_" and "-" only), its grouping
 * unless exact, and its days: node-red-telemetry-node-red-by-minor-2026-08-23-to-2026-11-20.csv,
 * node-red-telemetry-os-2026-11-20.csv for one day, …-no-data.csv for none.
 */
export function csvFileName(subject: string, grouping: string, from: string | null, to: string | null): string {
  const days = from === null || to === null ? 'no-data' : from === to ? from : `${from}-to-${to}`;
  const parts = ['node-red-telemetry', subject, ...(grouping === 'exact' ? [] : [`by-${grouping}`]), days];
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_')}.csv`;
}
