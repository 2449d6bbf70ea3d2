/**
 * The activity view: the filter bar and the feed of records, newest first. Pages come from
 * `/api/records`; live records are filtered here with the server's own `matches`, so the feed
 * shows exactly what a reload would.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { RecordFilter, RecordSummary } from "../../src/dashboard/api_types.ts";
import { matches, parseFilter } from "../../src/dashboard/filter.ts";
import { getRecords, isAbort } from "../api.ts";
import {
  EMPTY_FEED,
  FEED_CAP,
  type FeedState,
  fromPage,
  withLive,
  withOlder,
} from "../feed_state.ts";
import { formatCount } from "../format.ts";
import type { Live } from "../live.ts";
import { activityRoute, callRoute, formatRoute, type Query, type Route } from "../router.ts";
import { FeedTable } from "./feed_table.tsx";
import { FilterBar } from "./filter_bar.tsx";
import { ApiErrorBox, EmptyState, HowToMonitor, Loading } from "./notice.tsx";

/** Records per page fetched from the server. */
const PAGE_SIZE = 200;

export function Feed(
  { visible, query, live, now, navigate }: {
    visible: boolean;
    query: Query;
    live: Live;
    now: number;
    navigate(route: Route, replace?: boolean): void;
  },
) {
  const queryKey = new URLSearchParams(query as Record<string, string>).toString();
  const parsed = useMemo(() => parseFilter(new URLSearchParams(queryKey)), [queryKey]);
  const filter = "filter" in parsed ? parsed.filter : undefined;

  const [feed, setFeed] = useState<FeedState>(EMPTY_FEED);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [older, setOlder] = useState<{ loading: boolean; error?: unknown }>({ loading: false });
  const [paused, setPaused] = useState(false);
  const [pendingCount, setPendingCount] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [liveKeys, setLiveKeys] = useState<ReadonlySet<string>>(new Set());

  // The live listener reads these through refs: it is subscribed once.
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const feedRef = useRef(feed);
  feedRef.current = feed;
  const loadingRef = useRef(true);
  const duringLoad = useRef<RecordSummary[]>([]);
  const pending = useRef<RecordSummary[]>([]);

  const clearPending = () => {
    pending.current = [];
    setPendingCount(0);
  };

  useEffect(() => {
    if (filter === undefined) return;
    const controller = new AbortController();
    loadingRef.current = true;
    duringLoad.current = [];
    clearPending();
    setLoading(true);
    setError(undefined);
    setOlder({ loading: false });
    getRecords(filter, { limit: PAGE_SIZE }, controller.signal).then(
      (page) => {
        loadingRef.current = false;
        setFeed(withLive(fromPage(page), duringLoad.current));
        duringLoad.current = [];
        setLiveKeys(new Set());
        setLoading(false);
      },
      (e) => {
        if (controller.signal.aborted || isAbort(e)) return;
        loadingRef.current = false;
        setError(e);
        setFeed(EMPTY_FEED);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [filter, live.epoch, reloads]);

  useEffect(() =>
    live.subscribe((batch) => {
      const f = filterRef.current;
      if (f === undefined) return;
      const hits = batch.filter((r) => matches(r, f));
      if (hits.length === 0) return;
      if (loadingRef.current) {
        duringLoad.current.push(...hits);
      } else if (pausedRef.current || feedRef.current.detached) {
        pending.current = [...pending.current, ...hits].slice(-FEED_CAP);
        setPendingCount(pending.current.length);
      } else {
        setFeed((s) => withLive(s, hits));
        setLiveKeys(new Set(hits.map((r) => r.key)));
      }
    }), [live.subscribe]);

  // Keep the reader's place when coming back from a call's detail. The position is tracked while
  // the feed shows: by the time it is hidden, the page has already shrunk.
  const scroll = useRef(0);
  useLayoutEffect(() => {
    if (!visible) return;
    globalThis.scrollTo(0, scroll.current);
    const onScroll = () => {
      scroll.current = globalThis.scrollY;
    };
    addEventListener("scroll", onScroll, { passive: true });
    return () => removeEventListener("scroll", onScroll);
  }, [visible]);

  const suggestions = useMemo(() => {
    const methods = new Set<string>();
    const tools = new Set<string>();
    for (const r of feed.rows) {
      if (r.method) methods.add(r.method);
      if (r.tool) tools.add(r.tool);
    }
    return { methods: [...methods].sort(), tools: [...tools].sort() };
  }, [feed.rows]);

  const setFilter = (next: RecordFilter, replace?: boolean) =>
    navigate(activityRoute(next), replace);

  const togglePause = () => {
    if (paused) {
      const queued = pending.current;
      clearPending();
      setFeed((s) => withLive(s, queued));
      setLiveKeys(new Set(queued.map((r) => r.key)));
    }
    setPaused(!paused);
  };

  const loadOlder = () => {
    if (filter === undefined || feed.next === undefined || older.loading) return;
    setOlder({ loading: true });
    const asked = filter;
    getRecords(filter, { before: feed.next, limit: PAGE_SIZE }).then(
      (page) => {
        if (filterRef.current !== asked) return; // the filter changed meanwhile: a stale page
        setFeed((s) => withOlder(s, page));
        setOlder({ loading: false });
      },
      (e) => {
        if (filterRef.current === asked) setOlder({ loading: false, error: e });
      },
    );
  };

  const backToNewest = () => {
    setPaused(false);
    setReloads((n) => n + 1);
  };

  const hrefOf = (r: RecordSummary) => formatRoute(callRoute(r.session, r.seq, query));
  const open = (r: RecordSummary) => navigate(callRoute(r.session, r.seq, query));
  const filtered = Object.keys(query).length > 0;

  return (
    <section class="view" hidden={!visible} aria-label="Activity">
      <FilterBar
        filter={filter ?? {}}
        sessions={live.sessions ?? []}
        methods={suggestions.methods}
        tools={suggestions.tools}
        now={now}
        onChange={setFilter}
      />
      {"error" in parsed && (
        <div class="notice notice-error" role="alert" data-testid="api-error">
          <div class="notice-title">This link's filter is not valid</div>
          <div class="notice-body mono">{parsed.error}</div>
          <a class="btn btn-small" href="#/">Show all records</a>
        </div>
      )}
      {filter !== undefined && (
        <>
          <div class="toolbar" hidden={error !== undefined && feed.rows.length === 0}>
            <span class="toolbar-text">
              {loading && feed.rows.length === 0
                ? "Loading…"
                : `${formatCount(feed.rows.length)} of ${formatCount(feed.total)} ${
                  filtered ? "matching " : ""
                }records`}
            </span>
            <span class="spacer" />
            {feed.detached && (
              <span class="toolbar-note">
                Showing older records; the newest were dropped (at most {formatCount(FEED_CAP)}{" "}
                rows).
                <button type="button" class="btn btn-small" onClick={backToNewest}>
                  Back to newest{pendingCount > 0 ? ` (${formatCount(pendingCount)} new)` : ""}
                </button>
              </span>
            )}
            {!feed.detached && (
              <button
                type="button"
                class={`btn btn-small live-toggle${paused ? " is-paused" : ""}`}
                aria-pressed={paused}
                data-testid="live-toggle"
                data-paused={paused ? "true" : "false"}
                title={paused
                  ? "New records are held; resume to show them"
                  : "Hold new records so the list stays still"}
                onClick={togglePause}
              >
                {paused
                  ? `▶ Resume${pendingCount > 0 ? ` (${formatCount(pendingCount)} new)` : ""}`
                  : "❚❚ Pause live"}
              </button>
            )}
          </div>
          {error !== undefined && (
            <ApiErrorBox
              error={error}
              onRetry={() => setReloads((n) => n + 1)}
            />
          )}
          {error === undefined && (
            <FeedTable
              rows={feed.rows}
              hrefOf={hrefOf}
              onOpen={open}
              liveKeys={liveKeys}
              empty={loading
                ? <Loading what="records" />
                : filtered
                ? (
                  <EmptyState title="No records match this filter">
                    <p>
                      New records that match will appear here live.{" "}
                      <a href="#/">Show all records</a>
                    </p>
                  </EmptyState>
                )
                : (
                  <EmptyState title="No records yet">
                    <HowToMonitor logDir={live.hello?.logDir} />
                  </EmptyState>
                )}
            />
          )}
          {older.error !== undefined && <ApiErrorBox error={older.error} onRetry={loadOlder} />}
          {feed.rows.length > 0 && (
            <div class="feed-end">
              {feed.next !== undefined
                ? (
                  <button
                    type="button"
                    class="btn"
                    data-testid="load-older"
                    disabled={older.loading}
                    onClick={loadOlder}
                  >
                    {older.loading ? "Loading…" : "Load older"}
                  </button>
                )
                : <span class="faint">The oldest matching record is shown.</span>}
            </div>
          )}
        </>
      )}
    </section>
  );
}
