import { equal, ok } from "node:assert/strict";
import { BUILTIN_FIELDS, BUILTIN_RULES } from "../audit/redaction_rules.ts";
import { Redactor } from "../audit/redact.ts";
import {
  kmMessageLine,
  lifecycleRecord,
  messageLine,
  oversizedRecord,
  type RecordContext,
  stderrRecord,
} from "../audit/record.ts";
import type { PendingRequest } from "../jsonrpc/correlation.ts";
import { verboseLine } from "../monitor/report.ts";
import type { KmMessageEvent, MessageEvent, OversizedEvent } from "../relay/events.ts";
import { kmMessageEvent } from "../relay/km_message.ts";
import { messageEvent } from "../relay/_testing.ts";
import { eventOf, readableLine } from "./log_line.ts";

const AT = Date.UTC(2026, 10, 22, 20, 1, 2, 345);
const ctx = (logBodies: "full" | "metadata"): RecordContext => ({
  sessionId: "b647aabc-1111-2222-3333-444455556666",
  redactor: new Redactor({ rules: BUILTIN_RULES, fields: BUILTIN_FIELDS, maxStringChars: 1000 }),
  logBodies,
});

const call: PendingRequest = {
  id: { raw: "3", key: "3" },
  seq: 4,
  method: "tools/call",
  tool: "echo",
  startedAt: 0,
  cancelled: false,
};

/** A batch as the relay reports it: with its elements as items. */
function batchEvent(line: string): MessageEvent {
  const event = messageEvent(line);
  const items = event.message.kind === "batch" ? event.message.items : [];
  return { ...event, items: items.map((message) => ({ message })) };
}

const events: Record<string, MessageEvent> = {
  request: messageEvent(
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{}}}',
    { at: AT },
  ),
  notification: messageEvent('{"jsonrpc":"2.0","method":"notifications/initialized"}'),
  response: messageEvent('{"jsonrpc":"2.0","id":3,"result":{"content":[]}}', {
    direction: "server_to_client",
    correlation: { request: call, latencyMs: 2.125 },
  }),
  error: messageEvent('{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}', {
    direction: "server_to_client",
    correlation: { request: call, latencyMs: 0.5 },
  }),
  unmatched: messageEvent('{"jsonrpc":"2.0","id":9,"result":{}}', {
    direction: "server_to_client",
  }),
  batch: batchEvent(
    '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"}]',
  ),
  blocked: messageEvent(
    '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"rm"}}',
    {
      forwarded: false,
      decision: {
        action: "deny",
        applied: "block",
        reasons: ["no"],
        rules: ["r"],
        risk: 0,
        labels: [],
        revision: "abc",
        evalUs: 3,
      },
    },
  ),
  gone: messageEvent('{"jsonrpc":"2.0","method":"notifications/progress"}', { forwarded: false }),
};

Deno.test("a message record reads as km monitor -v shows its message, bodies or not", () => {
  for (const bodies of ["full", "metadata"] as const) {
    for (const [name, event] of Object.entries(events)) {
      const record = JSON.parse(messageLine(ctx(bodies), event));
      equal(verboseLine(eventOf(record)), verboseLine(event), `${name} (${bodies})`);
    }
  }
});

Deno.test("an invalid line shows the reason as recorded, without the line's excerpt", () => {
  const event = messageEvent("token ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  const record = JSON.parse(messageLine(ctx("metadata"), event));
  const line = verboseLine(eventOf(record));
  ok(line.startsWith("→ invalid (not valid JSON: "), line);
  ok(line.includes(record.reason), line);
  ok(!line.includes("ghp_"), line);
});

Deno.test("km's own lines and oversized lines read as -v shows them", () => {
  const own: KmMessageEvent = kmMessageEvent({
    direction: "server_to_client",
    seq: 6,
    at: AT,
    bytes: new TextEncoder().encode(
      '{"jsonrpc":"2.0","id":5,"error":{"code":-32010,"message":"Blocked by policy: no"}}\n',
    ),
    causeSeq: 5,
    forwarded: true,
  });
  equal(verboseLine(eventOf(JSON.parse(kmMessageLine(ctx("full"), own)))), verboseLine(own));
  const big: OversizedEvent = {
    direction: "client_to_server",
    seq: 7,
    at: AT,
    size: 70_000_000,
    limit: 67_108_864,
    head: new Uint8Array(0),
    tail: new Uint8Array(0),
    id: { raw: "8", key: "8" },
    reply: { to: "client", response: '{"jsonrpc":"2.0","id":8,"error":{"code":-32001}}' },
  };
  equal(verboseLine(eventOf(oversizedRecord(ctx("full"), big))), verboseLine(big));
});

Deno.test("readableLine: time, session, server, then the message", () => {
  const record = JSON.parse(messageLine(ctx("full"), events.request));
  equal(
    readableLine(record, "server-everything"),
    "2026-11-22 20:01:02.345Z b647aabc server-everything → request tools/call #3 echo (87 B)\n",
  );
});

Deno.test("readableLine shows stderr and lifecycle records, terminal-safe", () => {
  const c = ctx("full");
  const stderr = stderrRecord(
    c,
    2,
    AT,
    "boom \x1b[2J token=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  );
  const line = readableLine(stderr, "srv");
  ok(line.includes("stderr: boom \\x1b[2J token=[REDACTED"), line);
  // deno-lint-ignore no-control-regex
  ok(!/[\x00-\x09\x0b-\x1f]/.test(line), JSON.stringify(line));
  const start = lifecycleRecord(c, 1, AT, "start", {
    server: { name: "srv", command: ["node", "s.js"] },
    policy: { source: "default", revision: "r", mode: "enforce" },
  });
  equal(
    readableLine(start, "srv"),
    "2026-11-22 20:01:02.345Z b647aabc srv [start] node s.js policy default (enforce)\n",
  );
  const exit = lifecycleRecord(c, 9, AT, "shutdown", {
    exit_code: 0,
    reason: "server exited",
    messages: { client_to_server: 1, server_to_client: 1 },
  });
  equal(
    readableLine(exit, undefined),
    "2026-11-22 20:01:02.345Z b647aabc ? [shutdown] exit_code=0 reason=server exited\n",
  );
});
