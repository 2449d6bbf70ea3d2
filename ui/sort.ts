/** Sorting table rows by a column, for the statistics tables. Pure. */

export type SortDirection = "asc" | "desc";

export interface SortSpec<K extends string> {
  readonly key: K;
  readonly dir: SortDirection;
}

/**
 * Rows sorted by `value(row)` (a copy). Numbers compare as numbers, strings by locale; missing
 * values (`undefined`, NaN) always go last, whichever the direction. Ties keep their order.
 */
export function sortRows<T>(
  rows: readonly T[],
  value: (row: T) => number | string | undefined,
  dir: SortDirection,
): T[] {
  const sign = dir === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, v: value(row) }))
    .sort((a, b) => {
      const missingA = a.v === undefined || (typeof a.v === "number" && Number.isNaN(a.v));
      const missingB = b.v === undefined || (typeof b.v === "number" && Number.isNaN(b.v));
      if (missingA || missingB) {
        if (missingA && missingB) return a.index - b.index;
        return missingA ? 1 : -1;
      }
      let c: number;
      if (typeof a.v === "number" && typeof b.v === "number") c = a.v - b.v;
      else c = String(a.v).localeCompare(String(b.v));
      return c !== 0 ? c * sign : a.index - b.index;
    })
    .map((x) => x.row);
}

/**
 * The next sort after clicking column `key`: a new column starts descending for numbers (the
 * biggest first is what one looks for) and ascending for text; the same column flips.
 */
export function nextSort<K extends string>(
  current: SortSpec<K>,
  key: K,
  numeric: boolean,
): SortSpec<K> {
  if (current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { key, dir: numeric ? "desc" : "asc" };
}
