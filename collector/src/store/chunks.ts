/** Items in slices of at most `size`: a statement's parameters are bounded (PostgreSQL allows 65535). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
