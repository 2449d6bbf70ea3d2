import { equal } from "node:assert/strict";
import { matchesRecord } from "./filter.ts";

const call = {
  session_id: "b647aabc-1111",
  seq: 4,
  timestamp: "2026-11-22T20:00:00.000Z",
  type: "message",
  kind: "request",
  method: "tools/call",
  tool: "echo",
  result: { action: "deny", applied: "block" },
};
const stderr = {
  session_id: "c0ffee00-2222",
  timestamp: "2026-11-22T21:00:00.000Z",
  type: "stderr",
};
const batch = {
  session_id: "b647aabc-1111",
  timestamp: "2026-11-22T20:00:01.000Z",
  type: "message",
  kind: "batch",
  items: [{ kind: "request", method: "ping" }, {
    kind: "request",
    method: "tools/call",
    tool: "rm",
  }],
};

Deno.test("no filter passes every record", () => {
  equal(matchesRecord(call, "srv", {}), true);
  equal(matchesRecord(stderr, undefined, {}), true);
});

Deno.test("session: the id or its beginning", () => {
  equal(matchesRecord(call, "srv", { session: "b647aabc" }), true);
  equal(matchesRecord(call, "srv", { session: "b647aabc-1111" }), true);
  equal(matchesRecord(call, "srv", { session: "647aabc" }), false);
  equal(matchesRecord(stderr, "srv", { session: "b647" }), false);
});

Deno.test("server, method, tool and decision match exactly", () => {
  equal(matchesRecord(call, "srv", { server: "srv" }), true);
  equal(matchesRecord(call, "other", { server: "srv" }), false);
  equal(matchesRecord(call, undefined, { server: "srv" }), false);
  equal(matchesRecord(call, "srv", { method: "tools/call" }), true);
  equal(matchesRecord(call, "srv", { method: "tools/list" }), false);
  equal(matchesRecord(call, "srv", { tool: "echo" }), true);
  equal(matchesRecord(call, "srv", { tool: "Echo" }), false);
  equal(matchesRecord(call, "srv", { decision: "deny" }), true);
  equal(matchesRecord(call, "srv", { decision: "block" }), true);
  equal(matchesRecord(call, "srv", { decision: "allow" }), false);
  equal(matchesRecord(stderr, "srv", { method: "tools/call" }), false);
  equal(matchesRecord(stderr, "srv", { decision: "deny" }), false);
});

Deno.test("method and tool look inside a batch", () => {
  equal(matchesRecord(batch, "srv", { method: "ping" }), true);
  equal(matchesRecord(batch, "srv", { tool: "rm" }), true);
  equal(matchesRecord(batch, "srv", { tool: "echo" }), false);
});

Deno.test("since: records at or after the time; a record without a time does not pass", () => {
  const at = Date.parse(call.timestamp);
  equal(matchesRecord(call, "srv", { since: at }), true);
  equal(matchesRecord(call, "srv", { since: at + 1 }), false);
  equal(matchesRecord({ ...call, timestamp: undefined }, "srv", { since: 0 }), false);
});

Deno.test("filters combine with AND", () => {
  equal(matchesRecord(call, "srv", { server: "srv", tool: "echo", decision: "deny" }), true);
  equal(matchesRecord(call, "srv", { server: "srv", tool: "echo", decision: "ask" }), false);
  equal(matchesRecord(call, "srv", { session: "c0ffee", tool: "echo" }), false);
});
