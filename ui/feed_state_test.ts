import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import type { RecordSummary } from "../src/dashboard/api_types.ts";
import { EMPTY_FEED, fromPage, withLive, withOlder } from "./feed_state.ts";

function rec(seq: number, session = "s1", ts = 1000 + seq): RecordSummary {
  return {
    key: `${session}/${seq}`,
    session,
    seq,
    ts,
    type: "message",
    server: "files",
    preview: "",
  };
}

const keys = (rows: readonly RecordSummary[]) => rows.map((r) => r.key);

Deno.test("withLive() prepends new records newest first and counts them", () => {
  const feed = fromPage({ records: [rec(3), rec(2)], total: 10, next: "s1/2" });
  const next = withLive(feed, [rec(4), rec(5)]);
  assertEquals(keys(next.rows), ["s1/5", "s1/4", "s1/3", "s1/2"]);
  equal(next.total, 12);
  equal(next.next, "s1/2");
});

Deno.test("withLive() skips records already shown", () => {
  const feed = fromPage({ records: [rec(3), rec(2)], total: 2 });
  const next = withLive(feed, [rec(3), rec(4)]);
  assertEquals(keys(next.rows), ["s1/4", "s1/3", "s1/2"]);
  equal(next.total, 3);
  equal(withLive(next, [rec(4)]), next);
});

Deno.test("withLive() merges a record older than the head into its place", () => {
  const feed = fromPage({ records: [rec(3, "a", 300), rec(1, "a", 100)], total: 2 });
  const next = withLive(feed, [rec(7, "b", 200)]);
  assertEquals(keys(next.rows), ["a/3", "b/7", "a/1"]);
});

Deno.test("withLive() drops the oldest rows past the cap and moves the cursor to them", () => {
  const feed = fromPage({ records: [rec(3), rec(2), rec(1)], total: 3 }, 3);
  equal(feed.next, undefined);
  const next = withLive(feed, [rec(4), rec(5)], 3);
  assertEquals(keys(next.rows), ["s1/5", "s1/4", "s1/3"]);
  equal(next.next, "s1/3");
});

Deno.test("withOlder() appends a page; past the cap it drops the newest and detaches", () => {
  const feed = fromPage({ records: [rec(6), rec(5)], total: 6, next: "s1/5" });
  const more = withOlder(feed, { records: [rec(4), rec(3)], total: 6, next: "s1/3" });
  assertEquals(keys(more.rows), ["s1/6", "s1/5", "s1/4", "s1/3"]);
  equal(more.next, "s1/3");
  equal(more.detached, false);
  const capped = withOlder(more, { records: [rec(2), rec(1)], total: 6 }, 5);
  assertEquals(keys(capped.rows), ["s1/5", "s1/4", "s1/3", "s1/2", "s1/1"]);
  equal(capped.next, undefined);
  equal(capped.detached, true);
  equal(withLive(capped, [rec(7)]), capped);
});

Deno.test("fromPage() keeps at most the cap and points the cursor after it", () => {
  const feed = fromPage({ records: [rec(3), rec(2), rec(1)], total: 3 }, 2);
  assertEquals(keys(feed.rows), ["s1/3", "s1/2"]);
  equal(feed.next, "s1/2");
  assertEquals(EMPTY_FEED.rows, []);
});
