import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { approvalRecords, rec, SESSION_A, sessionRecords } from "./_testing.ts";
import { PREVIEW_CHARS, summarise } from "./summarise.ts";

function ok(record: unknown) {
  const result = summarise(record);
  if ("error" in result) throw new Error(result.error);
  return result;
}

Deno.test("summarise: a tools/call request with its decision", () => {
  const { summary } = ok(sessionRecords(SESSION_A, "srv")[6]);
  assertEquals(summary.key, `${SESSION_A}/7`);
  assertEquals(summary.kind, "request");
  assertEquals(summary.tool, "run_shell");
  assertEquals(summary.action, "deny");
  assertEquals(summary.applied, "block");
  assertEquals(summary.risk, 8);
  assertEquals(summary.labels, ["shell"]);
  assertEquals(summary.reasons, ["shell commands are not allowed"]);
  assertEquals(summary.forwarded, false);
  assertEquals(summary.preview, 'run_shell {"command":"rm -rf /"}');
});

Deno.test("summarise: a response previews its first text block", () => {
  const { summary } = ok(sessionRecords(SESSION_A, "srv")[5]);
  assertEquals(summary.requestSeq, 4);
  assertEquals(summary.latencyMs, 4);
  assertEquals(summary.preview, "Echo: hi");
});

Deno.test("summarise: start, initialize and shutdown teach the session", () => {
  const [start, init, initResult] = sessionRecords(SESSION_A, "srv");
  const s = ok(start).facts.start!;
  assertEquals(s.server, "srv");
  assertEquals(s.command, ["node", "srv.js"]);
  assertEquals(s.policy?.revision, "0123456789abcdef");
  assertEquals(ok(init).facts.client, { name: "claude", version: "1.2" });
  assertEquals(ok(initResult).facts.protocolVersion, "2025-06-18");
  const last = sessionRecords(SESSION_A, "srv").at(-1);
  assertEquals(ok(last).facts.shutdown, { exitCode: 0, reason: "exited with code 0" });
});

Deno.test("summarise: a 2026-07-28 request's _meta teaches the client and the version", () => {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "py-client", version: "2.3" },
    "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
  };
  const request = (direction: string, method: string) =>
    rec(SESSION_A, 2, 0, {
      type: "message",
      direction,
      kind: "request",
      method,
      message: { jsonrpc: "2.0", id: 1, method, params: { _meta: meta } },
    });
  const { facts } = ok(request("client_to_server", "server/discover"));
  assertEquals(facts.client, { name: "py-client", version: "2.3" });
  assertEquals(facts.protocolVersion, "2026-07-28");
  // A server's request is no claim about the client.
  assertEquals(ok(request("server_to_client", "tools/call")).facts, {});
});

Deno.test("summarise: error responses, isError results, invalid and oversized lines", () => {
  const message = (fields: Record<string, unknown>) =>
    ok(rec(SESSION_A, 1, 0, { type: "message", direction: "server_to_client", ...fields }))
      .summary;
  const error = message({ kind: "error", id: "1", error: { code: -32010, message: "blocked" } });
  assertEquals([error.errorCode, error.errorMessage, error.preview], [
    -32010,
    "blocked",
    "-32010 blocked",
  ]);
  const failed = message({
    kind: "response",
    message: { result: { isError: true, content: [{ type: "text", text: "boom" }] } },
  });
  assertMatch(failed.errorMessage!, /isError/);
  assertEquals(failed.preview, "boom");
  const invalid = message({ kind: "invalid", reason: "not valid JSON: x", raw: "hi\tthere" });
  assertEquals(invalid.preview, "not valid JSON: x: hi there");
  const big = message({ kind: "oversized", size: 100, limit: 10 });
  assertEquals(big.preview, "line of 100 bytes over the 10-byte limit");
});

Deno.test("summarise: previews are one line and bounded", () => {
  const text = "line one\nline two " + "x".repeat(10_000);
  const { summary } = ok(rec(SESSION_A, 1, 0, { type: "stderr", text }));
  assertEquals(summary.preview.length, PREVIEW_CHARS);
  assertEquals(summary.preview.startsWith("line one line two x"), true);
  assertEquals(summary.preview.endsWith("…"), true);
});

Deno.test("summarise: lines that are not audit records are explained", () => {
  assertEquals(summarise([1]), { error: "not a JSON object" });
  assertEquals(summarise({ seq: 1 }), {
    error: "missing session_id, seq or timestamp",
  });
  assertEquals(summarise(rec(SESSION_A, 1, 0, { type: "other" })), {
    error: 'unknown record type "other"',
  });
});

Deno.test("summarise: held calls and approval records name their approval", () => {
  const [held, requested, resolved, , granted, consumed] = approvalRecords(SESSION_A).map((r) =>
    ok(r).summary
  );
  const id = `${SESSION_A}-a1`;
  assertEquals([held.approvalId, held.action, held.applied], [id, "ask", "hold"]);
  assertEquals(held.preview, 'write_file {"path":"/etc/hosts","content":"x"}');
  assertEquals([granted.approvalId, granted.applied], [id, "forward"]);
  assertEquals([consumed.approvalId, consumed.applied, consumed.kind], [
    undefined,
    "consume",
    "response",
  ]);
  assertEquals(
    [requested.approvalId, requested.event, requested.method, requested.tool, requested.risk],
    [id, "approval_requested", "tools/call", "write_file", 6],
  );
  assertEquals(requested.requestSeq, undefined, "a lifecycle record answers no request");
  assertEquals(
    requested.preview,
    "approval requested for tools/call write_file (timeout 45 s): writes outside the project",
  );
  assertEquals([resolved.approvalId, resolved.event], [id, "approval_resolved"]);
  assertEquals(
    resolved.preview,
    "approved for this session in dashboard by dashboard at 127.0.0.1:7411 (Firefox) after 1.2 s",
  );
});

Deno.test("summarise: how an approval ended, in words", () => {
  const resolved = (fields: Record<string, unknown>) =>
    ok(rec(SESSION_A, 1, 0, { type: "lifecycle", event: "approval_resolved", ...fields }))
      .summary.preview;
  const cases: [Record<string, unknown>, string][] = [
    [
      {
        outcome: "approve",
        channel: "dashboard",
        by: "dashboard at 127.0.0.1:7411",
        latency_ms: 800,
      },
      "approved once in dashboard by dashboard at 127.0.0.1:7411 after 0.8 s",
    ],
    [
      { outcome: "deny", channel: "client", by: "claude", latency_ms: 2000, applied: "block" },
      "denied in client by claude after 2 s",
    ],
    [{ outcome: "timeout", latency_ms: 45_000, applied: "block" }, "denied: timed out after 45 s"],
    [
      { outcome: "unavailable", applied: "block", reason: "no dashboard and no elicitation" },
      "denied: nobody could be asked (no dashboard and no elicitation)",
    ],
    [{ outcome: "withdrawn", latency_ms: 300, applied: "none" }, "withdrawn after 0.3 s"],
    [{ outcome: "closed", latency_ms: 100_400, applied: "none" }, "closed after 100 s"],
    [{ outcome: "later", applied: "none" }, "later"],
    [{ outcome: "constructor", applied: "none" }, "constructor"],
  ];
  for (const [fields, preview] of cases) assertEquals(resolved(fields), preview);
});
