import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { approvalRecords, SESSION_A, SESSION_B, sessionRecords, T0 } from "./_testing.ts";
import { LogIndex } from "./log_index.ts";

function indexOf(records: readonly Record<string, unknown>[], maxRecords = 1000): LogIndex {
  const index = new LogIndex({ maxRecords, isAlive: () => false });
  records.forEach((r, i) => index.add(r, { file: "f.jsonl", offset: i * 100, length: 99 }));
  return index;
}

const both =
  () => [...sessionRecords(SESSION_A, "alpha"), ...sessionRecords(SESSION_B, "beta", 500)];

Deno.test("index: pages newest first across sessions, with a cursor", () => {
  const index = indexOf(both());
  equal(index.size, 18);
  const first = index.page({}, 5);
  if ("error" in first) throw new Error(first.error);
  equal(first.total, 18);
  equal(first.records[0].key, `${SESSION_B}/9`);
  const ts = first.records.map((r) => r.ts);
  assertEquals(ts, [...ts].sort((a, b) => b - a));
  const second = index.page({}, 100, first.next);
  if ("error" in second) throw new Error(second.error);
  equal(second.records.length, 13);
  equal(second.next, undefined);
  const keys = new Set([...first.records, ...second.records].map((r) => r.key));
  equal(keys.size, 18);
});

Deno.test("index: filters, and a cursor that names nothing", () => {
  const index = indexOf(both());
  const denied = index.page({ decision: "deny" }, 10);
  if ("error" in denied) throw new Error(denied.error);
  assertEquals(denied.records.map((r) => r.server), ["beta", "alpha"]);
  const text = index.page({ q: "HELLO", server: "alpha" }, 10);
  if ("error" in text) throw new Error(text.error);
  assertEquals(text.records.map((r) => r.seq), [4]);
  assertEquals(index.page({}, 10, "nope/1"), { error: '"before" names no record: "nope/1"' });
});

Deno.test("index: a request learns its response; duplicates are ignored", () => {
  const records = sessionRecords(SESSION_A, "alpha");
  const index = indexOf([...records, ...records]);
  equal(index.size, 9);
  equal(index.get(SESSION_A, 4)?.summary.responseSeq, 6);
  equal(index.get(SESSION_A, 6)?.summary.requestSeq, 4);
});

Deno.test("index: sessions carry server, client, policy, counts and end", () => {
  const index = indexOf(both());
  const [beta, alpha] = index.sessions();
  equal(beta.id, SESSION_B);
  equal(alpha.server, "alpha");
  assertEquals(alpha.client, { name: "claude", version: "1.2" });
  equal(alpha.protocolVersion, "2025-06-18");
  equal(alpha.policy?.revision, "0123456789abcdef");
  equal(alpha.live, false);
  equal(alpha.exitCode, 0);
  equal(alpha.startedAt, T0);
  equal(alpha.endedAt, T0 + 4000);
  assertEquals(alpha.counts, {
    messages: 5,
    requests: 3,
    responses: 2,
    errors: 0,
    notifications: 0,
    denials: 1,
    asks: 0,
    stderr: 1,
  });
});

Deno.test("index: a session without shutdown is live while its km runs", () => {
  const records = sessionRecords(SESSION_A, "alpha").slice(0, 4);
  let alive = true;
  const index = new LogIndex({ maxRecords: 100, isAlive: () => alive });
  records.forEach((r, i) => index.add(r, { file: "f", offset: i, length: 1 }));
  equal(index.sessionSummary(SESSION_A)?.live, true);
  equal(index.sessionSummary(SESSION_A)?.endedAt, undefined);
  alive = false;
  equal(index.sessionSummary(SESSION_A)?.live, false);
});

Deno.test("index: records read before their start record learn the server", () => {
  const records = sessionRecords(SESSION_A, "alpha");
  const index = indexOf([records[3], records[0]]);
  equal(index.get(SESSION_A, 4)?.summary.server, "alpha");
});

Deno.test("index: policy reload events", () => {
  const report = indexOf(both()).policy();
  equal(report.sessions.length, 2);
  equal(report.events.length, 2);
  equal(report.events[0].session, SESSION_B);
  equal(report.events[0].event, "policy_reload_failed");
  ok(report.events[0].error?.includes("rego_parse_error"));
  equal(report.events[0].kept, "0123456789abcdef");
});

Deno.test("index: memory is bounded by dropping the oldest summaries", () => {
  const index = indexOf(both(), 10);
  ok(index.size <= 10);
  equal(index.get(SESSION_A, 1), undefined);
  equal(index.get(SESSION_B, 9)?.summary.event, "shutdown");
});

Deno.test("index: stderr near a record", () => {
  const index = indexOf(both());
  assertEquals(index.near(SESSION_A, T0 + 1000, 2000, "stderr").map((s) => s.preview), [
    "echo called",
  ]);
  equal(index.near(SESSION_A, T0 + 9000, 2000, "stderr").length, 0);
});

Deno.test("index: an approval's requested and resolved records, by session and id", () => {
  const index = indexOf([...sessionRecords(SESSION_A, "alpha"), ...approvalRecords(SESSION_A)]);
  const id = `${SESSION_A}-a1`;
  const approval = index.approval(SESSION_A, id);
  assertEquals([approval?.requested?.summary.seq, approval?.resolved?.summary.seq], [11, 12]);
  equal(index.approval(SESSION_B, id), undefined);
  equal(index.approval(SESSION_A, "nope"), undefined);
  equal(index.get(SESSION_A, 10)?.summary.responseSeq, 13, "the held call still gets its response");
  const alpha = index.sessionSummary(SESSION_A)!;
  assertEquals([alpha.counts.asks, alpha.counts.denials, alpha.counts.errors], [2, 1, 0]);
  const tool = index.page({ tool: "write_file", type: "lifecycle" }, 10);
  if ("error" in tool) throw new Error(tool.error);
  assertEquals(tool.records.map((r) => r.seq), [11]);
});

Deno.test("index: an approval's records leave the lookup when they leave memory", () => {
  const records = [...sessionRecords(SESSION_A, "alpha"), ...approvalRecords(SESSION_A)];
  const index = indexOf([...records, ...sessionRecords(SESSION_B, "beta", 60_000)], 10);
  equal(index.get(SESSION_A, 11), undefined);
  equal(index.approval(SESSION_A, `${SESSION_A}-a1`), undefined);
});
