import { equal } from "node:assert/strict";
import { kmMessageEvent } from "../relay/km_message.ts";
import { messageEvent } from "../relay/_testing.ts";
import { verboseLine } from "./report.ts";

const call = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}';

Deno.test("verboseLine: a relayed call, and one the policy blocked", () => {
  equal(verboseLine(messageEvent(call)), "→ request tools/call #3 rm (70 B)");
  const blocked = messageEvent(call, {
    forwarded: false,
    decision: {
      action: "deny",
      applied: "block",
      reasons: [],
      rules: [],
      risk: 0,
      labels: [],
      revision: "r",
      evalUs: 1,
    },
  });
  equal(verboseLine(blocked), "→ request tools/call #3 rm [block] (70 B)");
  equal(
    verboseLine(messageEvent(call, { forwarded: false })),
    "→ request tools/call #3 rm [not sent: receiver gone] (70 B)",
  );
});

Deno.test("verboseLine marks what km wrote itself", () => {
  const answer =
    '{"jsonrpc":"2.0","id":3,"error":{"code":-32010,"message":"Blocked by policy: no"}}\n';
  const line = verboseLine(kmMessageEvent({
    direction: "server_to_client",
    seq: 5,
    at: 0,
    bytes: new TextEncoder().encode(answer),
    causeSeq: 4,
    forwarded: true,
  }));
  equal(line, `← km's own error #3 error -32010: Blocked by policy: no (${answer.length} B)`);
});
