import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import type { ApprovalDone, PendingApproval } from "../src/approval/types.ts";
import {
  type ApprovalsAction,
  approvalsReducer,
  type ApprovalsState,
  countdownLevel,
  EMPTY_APPROVALS,
  ENDED_CAP,
  formatCountdown,
  isPending,
  outcomeText,
  outcomeTone,
  RECENT_CAP,
  titleWithCount,
} from "./approvals_state.ts";

function pending(id: string, requestedAt = 1000): PendingApproval {
  return {
    id,
    session: "s1",
    server: "files",
    direction: "client_to_server",
    method: "tools/call",
    tool: "delete",
    arguments: { path: "/tmp/x" },
    argsHash: "ab".repeat(32),
    reasons: ["deleting files needs approval"],
    rules: ["ask-delete"],
    risk: 7,
    labels: ["destructive"],
    requestSeq: 4,
    requestedAt,
    expiresAt: requestedAt + 60_000,
  };
}

function done(id: string, outcome: ApprovalDone["outcome"] = "approve"): ApprovalDone {
  return { id, session: "s1", outcome, channel: "dashboard", by: "dashboard", latencyMs: 1200 };
}

function run(...actions: ApprovalsAction[]): ApprovalsState {
  return actions.reduce(approvalsReducer, EMPTY_APPROVALS);
}

const ids = (s: ApprovalsState) => s.pending.map((p) => p.id);

Deno.test("approvalsReducer() loads a snapshot oldest first", () => {
  const s = run({ type: "sync" }, {
    type: "loaded",
    sync: 1,
    approvals: [pending("s1-a2", 2000), pending("s1-a1", 1000), pending("s1-a3", 2000)],
  });
  equal(s.loaded, true);
  assertEquals(ids(s), ["s1-a1", "s1-a2", "s1-a3"]);
});

Deno.test("approvalsReducer() adds streamed approvals in order, without duplicates", () => {
  const s = run(
    { type: "added", approval: pending("s1-a2", 2000) },
    { type: "added", approval: pending("s1-a1", 1000) },
    { type: "added", approval: pending("s1-a2", 2000) },
  );
  assertEquals(ids(s), ["s1-a1", "s1-a2"]);
});

Deno.test("approvalsReducer() moves a done approval to the recent list with what was sent", () => {
  const s = run(
    { type: "added", approval: pending("s1-a1") },
    { type: "answer", id: "s1-a1", state: { answer: "deny", status: "sent" } },
    { type: "done", done: done("s1-a1", "deny"), at: 5000 },
  );
  assertEquals(ids(s), []);
  assertEquals(s.answers, {});
  equal(s.recent.length, 1);
  equal(s.recent[0].done.outcome, "deny");
  equal(s.recent[0].approval?.tool, "delete");
  equal(s.recent[0].sent, "deny");
  equal(s.recent[0].at, 5000);
});

Deno.test("approvalsReducer() keeps approvals that ended out of later snapshots and events", () => {
  const s = run(
    { type: "added", approval: pending("s1-a1") },
    { type: "sync" },
    { type: "done", done: done("s1-a1"), at: 1 },
    // The snapshot was taken before the approval ended.
    { type: "loaded", sync: 1, approvals: [pending("s1-a1")] },
    { type: "added", approval: pending("s1-a1") },
  );
  assertEquals(ids(s), []);
  equal(s.recent.length, 1);
  // A second done for the same id is not listed twice.
  equal(approvalsReducer(s, { type: "done", done: done("s1-a1"), at: 2 }).recent.length, 1);
});

Deno.test("approvalsReducer() keeps approvals streamed in after the snapshot was asked for", () => {
  const s = run(
    { type: "added", approval: pending("s1-a1", 1000) }, // before the reconnection: stale
    { type: "sync" },
    { type: "added", approval: pending("s1-a3", 3000) }, // after: the snapshot may lack it
    { type: "loaded", sync: 1, approvals: [pending("s1-a2", 2000)] },
  );
  assertEquals(ids(s), ["s1-a2", "s1-a3"]);
});

Deno.test("approvalsReducer() ignores a snapshot or failure of an older sync", () => {
  const s = run(
    { type: "sync" },
    { type: "sync" },
    { type: "loaded", sync: 1, approvals: [pending("s1-a1")] },
    { type: "load_failed", sync: 1, error: new Error("old") },
  );
  equal(s.loaded, false);
  equal(s.error, undefined);
  const failed = approvalsReducer(s, { type: "load_failed", sync: 2, error: new Error("now") });
  equal((failed.error as Error).message, "now");
  const loaded = approvalsReducer(failed, { type: "loaded", sync: 2, approvals: [] });
  equal(loaded.error, undefined);
});

Deno.test("approvalsReducer() tracks answers only while the approval is pending", () => {
  let s = run({ type: "added", approval: pending("s1-a1") });
  s = approvalsReducer(s, {
    type: "answer",
    id: "s1-a1",
    state: { answer: "approve", status: "sending" },
  });
  equal(s.answers["s1-a1"].status, "sending");
  equal(
    approvalsReducer(s, {
      type: "answer",
      id: "nope",
      state: { answer: "approve", status: "sent" },
    }),
    s,
  );
  // A snapshot without the approval forgets its answer.
  s = approvalsReducer(approvalsReducer(s, { type: "sync" }), {
    type: "loaded",
    sync: 1,
    approvals: [],
  });
  assertEquals(s.answers, {});
});

Deno.test("approvalsReducer() does not credit a failed answer to the ended approval", () => {
  const s = run(
    { type: "added", approval: pending("s1-a1") },
    {
      type: "answer",
      id: "s1-a1",
      state: { answer: "approve", status: "failed", gone: true, message: "gone" },
    },
    { type: "done", done: done("s1-a1", "timeout"), at: 1 },
  );
  equal(s.recent[0].sent, undefined);
});

Deno.test("approvalsReducer() caps the recent list and the ended ids", () => {
  let s = EMPTY_APPROVALS;
  for (let i = 0; i < ENDED_CAP + 5; i++) {
    s = approvalsReducer(s, { type: "done", done: done(`s1-a${i}`), at: i });
  }
  equal(s.recent.length, RECENT_CAP);
  equal(s.recent[0].done.id, `s1-a${ENDED_CAP + 4}`);
  equal(s.ended.length, ENDED_CAP);
  equal(s.ended[s.ended.length - 1], `s1-a${ENDED_CAP + 4}`);
});

Deno.test("isPending() looks the id up among the pending approvals", () => {
  const s = run({ type: "added", approval: pending("s1-a1") });
  equal(isPending(s, "s1-a1"), true);
  equal(isPending(s, "s1-a2"), false);
  equal(isPending(s, undefined), false);
});

Deno.test("formatCountdown() writes mm:ss rounded up, h:mm:ss past an hour, expired at zero", () => {
  equal(formatCountdown(59_001), "01:00");
  equal(formatCountdown(59_000), "00:59");
  equal(formatCountdown(125_000), "02:05");
  equal(formatCountdown(400), "00:01");
  equal(formatCountdown(3_725_000), "1:02:05");
  equal(formatCountdown(0), "expired");
  equal(formatCountdown(-5), "expired");
  equal(formatCountdown(NaN), "expired");
});

Deno.test("countdownLevel() turns urgent under 10 s and expired at zero", () => {
  equal(countdownLevel(10_000), "normal");
  equal(countdownLevel(9_999), "urgent");
  equal(countdownLevel(1), "urgent");
  equal(countdownLevel(0), "expired");
});

Deno.test("titleWithCount() prefixes the count only while approvals are pending", () => {
  equal(titleWithCount("km · Activity", 0), "km · Activity");
  equal(titleWithCount("km · Activity", 3), "(3) km · Activity");
});

Deno.test("outcomeText() and outcomeTone() describe how an approval ended", () => {
  equal(outcomeText("approve_session"), "approved for the session");
  equal(outcomeText("timeout"), "timed out");
  equal(outcomeText("something_new"), "something_new");
  equal(outcomeTone("approve"), "approved");
  equal(outcomeTone("deny"), "refused");
  equal(outcomeTone("closed"), "other");
});
