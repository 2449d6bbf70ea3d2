import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { parseText } from "../jsonrpc/message.ts";
import type { DecisionSummary } from "../decision_summary.ts";
import type { MessageEvent } from "../relay/events.ts";
import { SessionStats } from "./session_stats.ts";
import { ClosedIds } from "./abandoned.ts";
import { bufferDiagnostics, memoryLog } from "./_testing.ts";
import { sessionObserver } from "./observer.ts";

function decision(fields: Partial<DecisionSummary>): DecisionSummary {
  return {
    action: "allow",
    applied: "forward",
    reasons: [],
    rules: [],
    risk: 0,
    labels: [],
    revision: "r1",
    evalUs: 1,
    ...fields,
  };
}

function messageEvent(text: string, fields: Partial<MessageEvent> = {}): MessageEvent {
  return {
    direction: "client_to_server",
    seq: 1,
    at: 1_700_000_000_000,
    size: text.length + 1,
    message: parseText(text),
    text,
    elided: 0,
    forwarded: true,
    terminated: true,
    ...fields,
  };
}

async function observer(verbose = false) {
  const t = await memoryLog();
  const stats = new SessionStats();
  const { diagnostics, text } = bufferDiagnostics();
  const held: string[] = [];
  const ended: Record<string, unknown>[] = [];
  const o = sessionObserver({
    log: t.log,
    stats,
    closedIds: new ClosedIds(),
    diagnostics,
    verbose,
    approvals: { held: (id) => held.push(id) },
    clientEnded: (fields) => ended.push(fields),
  });
  return { o, t, stats, text, held, ended };
}

Deno.test("observer: a message is counted and recorded; a held one then tells the approvals", async () => {
  const { o, t, stats, held, text } = await observer();
  o.message(messageEvent('{"jsonrpc":"2.0","id":1,"method":"tools/call"}', {
    decision: decision({ applied: "hold", action: "ask", approvalId: "s1-a1" }),
    forwarded: false,
  }));
  equal(stats.directions.client_to_server.messages, 1);
  equal(stats.policy.applied.hold, 1);
  assertEquals(held, ["s1-a1"]);
  equal(text(), "", "quiet without --verbose");
  await t.log.close();
  const [record] = t.records();
  equal(record.type, "message");
  equal(record.seq, 1);
});

Deno.test("observer: --verbose reports each message; a policy error is a warning", async () => {
  const { o, text } = await observer(true);
  o.message(messageEvent('{"jsonrpc":"2.0","id":1,"method":"ping"}', {
    seq: 7,
    decision: decision({ applied: "block", action: "error", error: "policy failed" }),
  }));
  ok(text().includes("policy failed (message seq 7)"), text());
  equal(text().trim().split("\n").length, 2, text());
});

Deno.test("observer: the ends of the two sides, and the server's stderr", async () => {
  const { o, t, stats, ended, text } = await observer();
  o.ended("server");
  o.ended("client", new Error("read failed"));
  o.stderrLine("hello");
  equal(stats.stderrLines, 1);
  assertEquals(ended, [{ error: "read failed" }]);
  ok(text().includes("relaying from the client stopped: read failed"), text());
  await t.log.close();
  assertEquals(t.records().map((r) => r.event ?? r.type), ["server_stdout_eof", "stderr"]);
});

Deno.test("observer: a line over the limit is counted, recorded and reported", async () => {
  const { o, t, stats, text } = await observer();
  o.oversized({
    direction: "server_to_client",
    seq: 3,
    at: 1_700_000_000_000,
    size: 2048,
    limit: 1024,
    head: new Uint8Array(),
    tail: new Uint8Array(),
  });
  equal(stats.directions.server_to_client.byKind.oversized, 1);
  ok(text().includes("dropped a 2.0 KiB message from the server"), text());
  await t.log.close();
  equal(t.records()[0].seq, 3);
});

Deno.test("observer: a held message an approval sends on is not counted as dropped; its records are kept", async () => {
  const { o, t, stats } = await observer();
  const held = (seq: number, approvalId: string) =>
    o.message(messageEvent(`{"jsonrpc":"2.0","id":${seq},"method":"tools/call"}`, {
      seq,
      decision: decision({ applied: "hold", action: "ask", approvalId }),
      forwarded: false,
    }));
  held(1, "s1-a1");
  held(2, "s1-a2");
  equal(stats.directions.client_to_server.dropped, 2, "both held");
  o.lifecycle("approval_resolved", { approval_id: "s1-a1", applied: "forward" });
  o.lifecycle("approval_resolved", { approval_id: "s1-a2", applied: "block" });
  equal(stats.directions.client_to_server.dropped, 1, "the approved one was forwarded");
  await t.log.close();
  const records = t.records();
  assertEquals(records.map((r) => r.type), ["message", "message", "lifecycle", "lifecycle"]);
  equal(records[0].forwarded, false, "the held message's own record: not forwarded when written");
});

Deno.test("observer: a record about a message written while it is judged waits for the message's own", async () => {
  const { o, t } = await observer();
  // Pins compare a list response while it is judged, before the relay records it.
  o.lifecycle("definitions_pinned", { cause_seq: 2, kind: "tools" });
  o.lifecycle("client_eof", {}); // about no message: written at once
  o.message(messageEvent('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}', { seq: 2 }));
  o.lifecycle("definitions_changed", { cause_seq: 2, kind: "tools" }); // its message is in: at once
  await t.log.close();
  assertEquals(
    t.records().map((r) => r.event ?? r.type),
    ["client_eof", "message", "definitions_pinned", "definitions_changed"],
  );
});
