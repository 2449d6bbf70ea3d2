import { deepStrictEqual as assertEquals, equal, match } from "node:assert/strict";
import type { ApprovalOutcome } from "./types.ts";
import { appliedOf, requestedFields, resolvedFields } from "./records.ts";
import { askRequest, pendingOf, resolution } from "./_testing.ts";

Deno.test("requestedFields names the approval, the held message and when it expires", () => {
  const pending = pendingOf(askRequest({ timeoutMs: 45_000 }));
  const fields = requestedFields(pending, ["dashboard", "client"]);
  assertEquals(fields, {
    approval_id: "s-a1",
    request_seq: 3,
    direction: "client_to_server",
    method: "tools/call",
    tool: "rm",
    args_hash: "h1",
    reasons: ["rm deletes files"],
    rules: ["ask-rm"],
    risk: 8,
    timeout_ms: 45_000,
    expires_at: "2023-11-14T22:14:05.000Z",
    channels: ["dashboard", "client"],
  });
  // RFC 3339, UTC.
  match(fields.expires_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  equal(Date.parse(fields.expires_at as string), pending.expiresAt);
});

Deno.test("requestedFields leaves out the tool of a message that has none", () => {
  const fields = requestedFields(pendingOf(askRequest({ tool: undefined })), []);
  equal("tool" in fields, false);
});

Deno.test("resolvedFields says how the approval ended and what km did", () => {
  const fields = resolvedFields(
    pendingOf(),
    resolution({
      outcome: "deny",
      by: "alice",
      reason: "approval denied in the dashboard by alice",
      latencyMs: 1234.5,
      channels: { dashboard: "answered: deny", client: "no elicitation" },
    }),
  );
  assertEquals(fields, {
    approval_id: "s-a1",
    request_seq: 3,
    outcome: "deny",
    channel: "dashboard",
    by: "alice",
    latency_ms: 1234.5,
    applied: "block",
    reason: "approval denied in the dashboard by alice",
    channels: { dashboard: "answered: deny", client: "no elicitation" },
  });
  equal("reason" in resolvedFields(pendingOf(), resolution()), false);
});

Deno.test("appliedOf forwards approved messages, drops withdrawn ones and blocks the rest", () => {
  const want: Record<ApprovalOutcome, string> = {
    approve: "forward",
    approve_session: "forward",
    deny: "block",
    timeout: "block",
    unavailable: "block",
    closed: "block",
    withdrawn: "none",
  };
  for (const [outcome, applied] of Object.entries(want)) {
    const ended = resolution({ outcome: outcome as ApprovalOutcome });
    equal(appliedOf(ended), applied, outcome);
    equal(resolvedFields(pendingOf(), ended).applied, applied, outcome);
  }
});
