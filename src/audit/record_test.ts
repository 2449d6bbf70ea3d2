import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import type { PendingRequest } from "../jsonrpc/correlation.ts";
import type { MessageEvent } from "../relay/events.ts";
import { messageEvent } from "../relay/_testing.ts";
import { Redactor } from "./redact.ts";
import { BUILTIN_FIELDS, BUILTIN_RULES } from "./redaction_rules.ts";
import { kmMessageEvent } from "../relay/km_message.ts";
import {
  kmMessageLine,
  lifecycleRecord,
  messageLine,
  type RecordContext,
  SCHEMA,
  stderrRecord,
} from "./record.ts";

const ctx: RecordContext = {
  sessionId: "s1",
  redactor: new Redactor({ rules: BUILTIN_RULES, fields: BUILTIN_FIELDS, maxStringChars: 100 }),
  logBodies: "full",
};
const AT = Date.UTC(2026, 10, 22, 20, 1, 2, 345);

function event(line: string, extra: Partial<MessageEvent> = {}): MessageEvent {
  return messageEvent(line, { seq: 4, at: AT, ...extra });
}

const messageRecord = (c: RecordContext, e: MessageEvent) => JSON.parse(messageLine(c, e));

/** The pending `tools/call` with id 3, recorded as seq 4. */
function callRequest(tool: string): PendingRequest {
  return {
    id: { raw: "3", key: "3" },
    seq: 4,
    method: "tools/call",
    tool,
    startedAt: 0,
    cancelled: false,
  };
}

Deno.test("messageRecord describes a tools/call request with its redacted body", () => {
  const line =
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"api_key":"k"}}}';
  assertEquals(messageRecord(ctx, event(line)), {
    schema: SCHEMA,
    session_id: "s1",
    seq: 4,
    timestamp: "2026-11-22T20:01:02.345Z",
    type: "message",
    direction: "client_to_server",
    kind: "request",
    method: "tools/call",
    id: "3",
    tool: "echo",
    size: line.length + 1,
    forwarded: true,
    message: {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "echo", arguments: { api_key: "[REDACTED:field]" } },
    },
    redactions: 1,
  });
});

Deno.test("messageRecord links a response to its request with latency", () => {
  const request = callRequest("echo");
  const record = messageRecord(ctx, {
    ...event('{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"bad"}}', {
      direction: "server_to_client",
    }),
    correlation: { request, latencyMs: 1.23456 },
  });
  equal(record.kind, "error");
  equal(record.method, "tools/call");
  equal(record.tool, "echo");
  equal(record.request_seq, 4);
  equal(record.latency_ms, 1.235);
  assertEquals(record.error, { code: -32602, message: "bad" });
});

Deno.test("kmMessageLine records km's own answer to a blocked call: origin, cause, request, body", () => {
  const request = callRequest("rm");
  const text =
    '{"jsonrpc":"2.0","id":3,"error":{"code":-32010,"message":"Blocked by policy: token sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa"}}';
  const line = kmMessageLine(
    ctx,
    kmMessageEvent({
      direction: "server_to_client",
      seq: 5,
      at: AT,
      bytes: new TextEncoder().encode(text + "\n"),
      causeSeq: 4,
      about: "s1-a1",
      answers: [{ request, latencyMs: 2 }],
      forwarded: true,
    }),
  );
  const record = JSON.parse(line);
  const { message, ...summary } = record;
  assertEquals(summary, {
    schema: SCHEMA,
    session_id: "s1",
    seq: 5,
    timestamp: "2026-11-22T20:01:02.345Z",
    type: "message",
    origin: "km",
    direction: "server_to_client",
    kind: "error",
    id: "3",
    method: "tools/call",
    request_seq: 4,
    tool: "rm",
    latency_ms: 2,
    error: { code: -32010, message: "Blocked by policy: token [REDACTED:anthropic_key]" },
    cause_seq: 4,
    approval_id: "s1-a1",
    size: text.length + 1,
    forwarded: true,
    redactions: 1,
  });
  equal(message.error.message, "Blocked by policy: token [REDACTED:anthropic_key]");
});

Deno.test("messageRecord redacts the error summary of an error response, as it does the body", () => {
  const line =
    '{"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"bad key ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}';
  const record = messageRecord(ctx, event(line, { direction: "server_to_client" }));
  assertEquals(record.error, { code: -32000, message: "bad key [REDACTED:github_token]" });
  equal(record.message.error.message, "bad key [REDACTED:github_token]");
});

Deno.test("messageRecord marks a response nobody asked for as unmatched", () => {
  equal(messageRecord(ctx, event('{"jsonrpc":"2.0","id":9,"result":{}}')).unmatched, true);
});

Deno.test("messageRecord keeps the raw text and reason of an invalid line", () => {
  const record = messageRecord(ctx, event("hello password=hunter2"));
  equal(record.kind, "invalid");
  equal(record.raw, "hello password=[REDACTED:password_assignment]");
  equal((record.reason as string).startsWith("not valid JSON"), true);
});

Deno.test("messageRecord omits bodies in metadata mode", () => {
  const record = messageRecord(
    { ...ctx, logBodies: "metadata" },
    event('{"jsonrpc":"2.0","method":"x","params":{}}'),
  );
  equal("message" in record, false);
  equal(record.method, "x");
});

Deno.test("lifecycleRecord and stderrRecord redact what they carry", () => {
  const start = lifecycleRecord(ctx, 1, AT, "start", {
    server: { command: ["srv", "--token=abcdefgh1234"] },
  });
  equal(start.event, "start");
  assertEquals(start.server, { command: ["srv", "--token=[REDACTED:password_assignment]"] });
  equal(
    stderrRecord(ctx, 2, AT, "using key AKIAIOSFODNN7EXAMPLE").text,
    "using key [REDACTED:aws_access_key_id]",
  );
});

Deno.test("messageLine embeds the received text as the body when nothing is redacted", () => {
  const line = '{"jsonrpc":"2.0","id":7,"method":"ping",  "params":{"b":2,"a":1}}';
  const text = messageLine(ctx, event(line));
  ok(text.includes(`,"message":${line}}`), text);
  equal(JSON.parse(text).message.params.a, 1);
});

Deno.test("messageLine records a 100,000-deep request down to 512 levels and flags the rest", () => {
  const depth = 100_000;
  const line =
    `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":` +
    `{"message":${"[".repeat(depth)}"x"${"]".repeat(depth)}}}}`;
  const record = messageRecord(ctx, event(line));
  equal(record.kind, "request");
  equal(record.tool, "echo");
  equal(record.size, line.length + 1);
  equal(record.unrecorded, "nested deeper than 512 levels");
  let value = record.message.params.arguments.message;
  let levels = 4; // the message, params, arguments, and this array
  while (Array.isArray(value[0])) [value, levels] = [value[0], levels + 1];
  equal(levels, 512);
  assertEquals(value, ["[UNRECORDED:nested deeper than 512 levels]"]);
});

Deno.test("messageLine records a 200,000-deep array line down to 512 levels", () => {
  const line = "[".repeat(200_000) + "]".repeat(200_000);
  const record = messageRecord(ctx, event(line));
  equal(record.kind, "batch");
  equal(record.unrecorded, "nested deeper than 512 levels");
});

Deno.test("messageRecord summarises an error whose code and message are deep values", () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const line = `{"jsonrpc":"2.0","id":3,"error":{"code":${deep},"message":{"apiKey":"k"}}}`;
  const record = messageRecord(ctx, event(line, { direction: "server_to_client" }));
  equal(record.kind, "error");
  equal(record.unrecorded, "nested deeper than 512 levels");
  assertEquals(record.error.message, { apiKey: "[REDACTED:field]" });
  ok(JSON.stringify(record.error.code).includes("[UNRECORDED:nested deeper than 512 levels]"));
});

Deno.test("messageRecord redacts JSON-formatted secrets in a line km could not parse", () => {
  const record = messageRecord(ctx, event('{"apiKey": "abc123", "scopes": ["x"], '));
  equal(record.kind, "invalid");
  equal(record.raw, '{"apiKey": "[REDACTED:field]", "scopes": ["x"], ');
  equal(record.redactions, 1);
});

Deno.test("messageRecord leaves the parse error's excerpt of the line out of the reason", () => {
  const line = "token ghp_abcdefghijklmnopqrstuvwxyz0123456789";
  const record = messageRecord({ ...ctx, logBodies: "metadata" }, event(line));
  equal(record.reason, `not valid JSON: Unexpected token 'o', "…" is not valid JSON`);
  ok(!JSON.stringify(record).includes("ghp_"));
});

Deno.test("stderrRecord redacts a JSON-formatted secret a server logs", () => {
  const record = stderrRecord(ctx, 2, AT, '{"level":"debug","apiKey":"sk-short","ms":3}');
  equal(record.text, '{"level":"debug","apiKey":"[REDACTED:field]","ms":3}');
  equal(record.redactions, 1);
});
