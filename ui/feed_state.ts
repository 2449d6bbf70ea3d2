/**
 * The activity feed's list of records: newest first, merged from pages (older) and live events
 * (newer), without duplicates, and capped so a long session never grows the page without bound.
 * Pure, so the merging rules are unit-tested.
 */
import type { RecordPage, RecordSummary } from "../src/dashboard/api_types.ts";

/** Most rows the feed keeps in memory. */
export const FEED_CAP = 2000;

export interface FeedState {
  /** Newest first. */
  readonly rows: readonly RecordSummary[];
  /** The `before` cursor of the next older page; undefined when the oldest record is shown. */
  readonly next?: string;
  /** Records matching the filter in all (the server's count, plus live records since). */
  readonly total: number;
  /**
   * Newer rows were dropped to make room for older ones: the list no longer reaches the newest
   * record, so live records must not be prepended (they would leave a gap).
   */
  readonly detached: boolean;
}

/** An empty feed. */
export const EMPTY_FEED: FeedState = { rows: [], total: 0, detached: false };

/** Newest first: by time, then by seq within a session, then by key so the order is total. */
export function newestFirst(a: RecordSummary, b: RecordSummary): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  if (a.session === b.session) return b.seq - a.seq;
  return a.key < b.key ? 1 : a.key > b.key ? -1 : 0;
}

/** The feed of a first page. */
export function fromPage(page: RecordPage, cap = FEED_CAP): FeedState {
  const rows = page.records.slice(0, cap);
  const next = rows.length < page.records.length ? rows[rows.length - 1]?.key : page.next;
  return { rows, next, total: page.total, detached: false };
}

/**
 * Adds live records (already filtered). Records already shown are skipped; past the cap the
 * oldest rows go, and the cursor moves so "Load older" can fetch them again.
 */
export function withLive(
  state: FeedState,
  incoming: readonly RecordSummary[],
  cap = FEED_CAP,
): FeedState {
  if (state.detached || incoming.length === 0) return state;
  const seen = new Set(state.rows.map((r) => r.key));
  const fresh: RecordSummary[] = [];
  for (const r of incoming) {
    if (!seen.has(r.key)) {
      seen.add(r.key);
      fresh.push(r);
    }
  }
  if (fresh.length === 0) return state;
  fresh.sort(newestFirst);
  const head = state.rows[0];
  const merged = head === undefined || newestFirst(fresh[fresh.length - 1], head) <= 0
    ? [...fresh, ...state.rows]
    : [...fresh, ...state.rows].sort(newestFirst);
  const total = state.total + fresh.length;
  if (merged.length <= cap) return { ...state, rows: merged, total };
  const rows = merged.slice(0, cap);
  return { ...state, rows, total, next: rows[rows.length - 1].key };
}

/**
 * Appends an older page. Past the cap the newest rows go and the feed is `detached` from the
 * head (live records pause until the feed is reloaded).
 */
export function withOlder(state: FeedState, page: RecordPage, cap = FEED_CAP): FeedState {
  const seen = new Set(state.rows.map((r) => r.key));
  const older = page.records.filter((r) => !seen.has(r.key));
  const merged = [...state.rows, ...older];
  if (merged.length <= cap) {
    return { rows: merged, next: page.next, total: page.total, detached: state.detached };
  }
  return {
    rows: merged.slice(merged.length - cap),
    next: page.next,
    total: page.total,
    detached: true,
  };
}
