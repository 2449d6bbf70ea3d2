import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import type { RecordDetail, RecordSummary } from "../../src/dashboard/api_types.ts";
import { approvalInfo, approvalLinks } from "./approval_panel.tsx";

const held: RecordSummary = {
  key: "s1/4",
  session: "s1",
  seq: 4,
  ts: Date.parse("2026-11-22T20:14:13.000Z"),
  type: "message",
  server: "files",
  direction: "client_to_server",
  kind: "request",
  method: "tools/call",
  tool: "delete",
  action: "ask",
  applied: "hold",
  approvalId: "s1-a1",
  preview: "",
};

const requested = {
  seq: 5,
  session_id: "s1",
  timestamp: "2026-11-22T20:14:13.010Z",
  type: "lifecycle",
  event: "approval_requested",
  approval_id: "s1-a1",
  request_seq: 4,
  reasons: ["deleting files needs approval"],
  rules: ["ask-delete"],
  timeout_ms: 120_000,
  expires_at: "2026-11-22T20:16:13.010Z",
  channels: ["dashboard", "client"],
  args_hash: "ab".repeat(32),
};

const resolved = {
  seq: 8,
  session_id: "s1",
  timestamp: "2026-11-22T20:14:20.000Z",
  type: "lifecycle",
  event: "approval_resolved",
  approval_id: "s1-a1",
  request_seq: 4,
  outcome: "approve_session",
  channel: "dashboard",
  by: "dashboard at 127.0.0.1:7411 (Firefox)",
  latency_ms: 6990,
  applied: "forward",
  channels: { dashboard: "answered", client: "withdrawn" },
};

function detail(summary: RecordSummary, approval?: RecordDetail["approval"]): RecordDetail {
  return { summary, record: {}, stderr: [], approval };
}

Deno.test("approvalInfo() reads the requested and resolved lifecycle records", () => {
  assertEquals(approvalInfo(detail(held, { requested, resolved })), {
    id: "s1-a1",
    heldSeq: 4,
    requested: {
      seq: 5,
      ts: Date.parse("2026-11-22T20:14:13.010Z"),
      reasons: ["deleting files needs approval"],
      rules: ["ask-delete"],
      timeoutMs: 120_000,
      expiresAt: Date.parse("2026-11-22T20:16:13.010Z"),
      channels: ["dashboard", "client"],
      argsHash: "ab".repeat(32),
    },
    resolved: {
      seq: 8,
      ts: Date.parse("2026-11-22T20:14:20.000Z"),
      outcome: "approve_session",
      channel: "dashboard",
      by: "dashboard at 127.0.0.1:7411 (Firefox)",
      latencyMs: 6990,
      applied: "forward",
      reason: undefined,
      channels: ["dashboard: answered", "client: withdrawn"],
    },
  });
});

Deno.test("approvalInfo() is undefined without an approval and tolerates missing fields", () => {
  equal(approvalInfo(detail(held)), undefined);
  const info = approvalInfo(detail(held, { requested: { seq: 5, reasons: "x" } }));
  equal(info?.id, "s1-a1"); // from the summary
  equal(info?.heldSeq, 4); // the held message itself
  assertEquals(info?.requested?.reasons, []);
  equal(info?.requested?.timeoutMs, undefined);
  equal(info?.resolved, undefined);
});

Deno.test("approvalInfo() derives the timeout from expires_at when timeout_ms is absent", () => {
  const { timeout_ms: _, ...rest } = requested;
  const info = approvalInfo(
    detail(held, { requested: { ...rest, expires_at: Date.parse(rest.timestamp) + 30_000 } }),
  );
  equal(info?.requested?.timeoutMs, 30_000);
});

Deno.test("approvalLinks() links the held message and the lifecycle records, not the one shown", () => {
  const info = approvalInfo(detail(held, { requested, resolved }))!;
  assertEquals(approvalLinks(info, "s1", 4), [
    { label: "Approval requested #5", href: "#/call/s1/5" },
    { label: "Approval resolved #8", href: "#/call/s1/8" },
  ]);
  assertEquals(approvalLinks(info, "s1", 8).map((l) => l.label), [
    "Held message #4",
    "Approval requested #5",
  ]);
});
