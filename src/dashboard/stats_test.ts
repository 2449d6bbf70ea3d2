import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { approvalRecords, rec, SESSION_A, SESSION_B, sessionRecords, T0 } from "./_testing.ts";
import { LogIndex } from "./log_index.ts";
import { computeStats, percentile } from "./stats.ts";

function entries(records: readonly Record<string, unknown>[]) {
  const index = new LogIndex({ maxRecords: 1000, isAlive: () => false });
  records.forEach((r, i) => index.add(r, { file: "f", offset: i, length: 1 }));
  return index.entries();
}

Deno.test("stats: calls, denials, latency, bytes and tokens per server and tool", () => {
  const report = computeStats(entries(sessionRecords(SESSION_A, "alpha")), {});
  assertEquals(report.servers, [{
    server: "alpha",
    sessions: 1,
    calls: 3,
    errors: 0,
    denials: 1,
    p50Ms: 4,
    p95Ms: 10,
    bytes: 490,
    tokens: 123,
  }]);
  assertEquals(report.tools.map((t) => [t.tool, t.calls, t.denials, t.bytes]), [
    ["echo", 1, 0, 400],
    ["run_shell", 1, 1, 0],
  ]);
});

Deno.test("stats: errors count error responses and isError results", () => {
  const answer = (seq: number, requestSeq: number, extra: Record<string, unknown>) =>
    rec(SESSION_A, seq, 50, {
      type: "message",
      direction: "server_to_client",
      request_seq: requestSeq,
      tool: "t",
      ...extra,
    });
  const call = (seq: number) =>
    rec(SESSION_A, seq, 10, {
      type: "message",
      direction: "client_to_server",
      kind: "request",
      method: "tools/call",
      tool: "t",
    });
  const report = computeStats(
    entries([
      call(1),
      call(2),
      call(3),
      answer(4, 1, { kind: "error", error: { code: -1, message: "x" } }),
      answer(5, 2, { kind: "response", message: { result: { isError: true } } }),
      answer(6, 3, { kind: "response", message: { result: {} } }),
    ]),
    {},
  );
  equal(report.tools[0].calls, 3);
  equal(report.tools[0].errors, 2);
});

Deno.test("stats: filters and a timeline of at most 60 buckets", () => {
  const all = entries([
    ...sessionRecords(SESSION_A, "alpha"),
    ...sessionRecords(SESSION_B, "beta", 3_600_000),
  ]);
  equal(computeStats(all, { server: "beta" }).servers.length, 1);
  equal(computeStats(all, { session: SESSION_A }).servers[0].server, "alpha");
  equal(computeStats(all, { tool: "echo" }).tools.length, 2);
  equal(computeStats(all, { since: T0 + 3_600_000 }).servers[0].server, "beta");
  const report = computeStats(all, {});
  equal(report.bucketMs, 300_000);
  equal(report.timeline.length <= 60, true);
  const sum = (k: "calls" | "deny" | "allow") => report.timeline.reduce((n, b) => n + b[k], 0);
  assertEquals([sum("calls"), sum("deny"), sum("allow")], [6, 2, 8]);
  assertEquals(computeStats([], {}).timeline, []);
});

Deno.test("stats: nearest-rank percentile", () => {
  equal(percentile([1, 2, 3, 4], 0.5), 2);
  equal(percentile([1, 2, 3, 4], 0.95), 4);
  equal(percentile([7], 0.5), 7);
});

Deno.test("stats: a held call is a call, neither an error nor a denial; consumed answers no call", () => {
  const report = computeStats(entries(approvalRecords(SESSION_A)), {});
  assertEquals(report.tools.map((t) => [t.tool, t.calls, t.errors, t.denials, t.p50Ms]), [
    ["write_file", 2, 0, 0, 1300],
  ]);
  equal(report.servers[0].calls, 2);
  const sum = (k: "calls" | "ask" | "errors") => report.timeline.reduce((n, b) => n + b[k], 0);
  assertEquals([sum("calls"), sum("ask"), sum("errors")], [2, 2, 0]);
});

Deno.test("stats: km's own answer to a call it blocked is the denial, not a server error", () => {
  const records = [
    ...sessionRecords(SESSION_B, "beta").slice(0, 1),
    rec(SESSION_B, 20, 10, {
      type: "message",
      direction: "client_to_server",
      kind: "request",
      method: "tools/call",
      id: "9",
      tool: "rm",
      size: 90,
      forwarded: false,
      result: { action: "deny", applied: "block", reasons: ["no"], rules: [] },
    }),
    rec(SESSION_B, 21, 10, {
      type: "message",
      origin: "km",
      direction: "server_to_client",
      kind: "error",
      id: "9",
      method: "tools/call",
      request_seq: 20,
      tool: "rm",
      latency_ms: 0.2,
      error: { code: -32010, message: "Blocked by policy: no" },
      cause_seq: 20,
      size: 80,
      forwarded: true,
    }),
  ];
  const index = entries(records);
  // The call's answer is km's: the detail pairs them.
  equal(index.find((e) => e.summary.seq === 20)?.summary.responseSeq, 21);
  equal(index.find((e) => e.summary.seq === 21)?.summary.origin, "km");
  const report = computeStats(index, {});
  assertEquals(report.tools.map((t) => [t.tool, t.calls, t.denials, t.errors, t.p50Ms, t.bytes]), [
    ["rm", 1, 1, 0, undefined, 0],
  ]);
  equal(report.timeline.reduce((n, b) => n + b.errors, 0), 0);
});

Deno.test("stats: a task's polls are not calls of its tool; its result is the call's answer", () => {
  const msg = (seq: number, fields: Record<string, unknown>) =>
    rec(SESSION_A, seq, 10, { type: "message", tool: "research", ...fields });
  const request = (seq: number, method: string) =>
    msg(seq, { direction: "client_to_server", kind: "request", method });
  const answer = (seq: number, requestSeq: number, method: string, size: number) =>
    msg(seq, {
      direction: "server_to_client",
      kind: "response",
      method,
      request_seq: requestSeq,
      size,
      message: { result: {} },
    });
  const report = computeStats(
    entries([
      request(1, "tools/call"),
      answer(2, 1, "tools/call", 10),
      request(3, "tasks/get"),
      answer(4, 3, "tasks/get", 1000),
      request(5, "tasks/result"),
      answer(6, 5, "tasks/result", 100),
    ]),
    {},
  );
  assertEquals(report.tools.map((t) => [t.tool, t.calls, t.bytes]), [["research", 1, 110]]);
});
