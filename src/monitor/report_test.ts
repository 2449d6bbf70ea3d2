import { equal, ok } from "node:assert/strict";
import { kmMessageEvent } from "../relay/km_message.ts";
import { messageEvent } from "../relay/_testing.ts";
import { SessionStats } from "./session_stats.ts";
import { summary, verboseLine } from "./report.ts";

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

Deno.test("verboseLine escapes what the peers wrote: tool names, methods, ids, error messages", () => {
  const forged = "\x1b[2K\rkm: fake\u202e\nkm: x";
  const shown = "\\x1b[2K\\rkm: fake\\u202e\\nkm: x";
  const request = JSON.stringify({
    jsonrpc: "2.0",
    id: `a\u2028${forged}`,
    method: "tools/call",
    params: { name: forged },
  });
  const line = verboseLine(messageEvent(request));
  // deno-lint-ignore no-control-regex
  ok(!/[\x00-\x1f\u2028\u202e]/.test(line), JSON.stringify(line));
  ok(line.includes(`tools/call #"a\\u2028\\u001b[2K\\rkm: fake\\u202e\\nkm: x" ${shown}`), line);
  const error = JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: 1, message: forged } });
  equal(
    verboseLine(messageEvent(error, { direction: "server_to_client" })),
    `← error #1 error 1: ${shown} (${error.length + 1} B)`,
  );
});

Deno.test("summary escapes the server name and the log path", () => {
  const text = summary({
    sessionId: "abcdef012345",
    serverName: "srv\x1b[31m\nkm: forged",
    durationMs: 1,
    outcome: "exited with code 0",
    stats: new SessionStats(),
    logPath: "/logs/\u202efile.jsonl",
    records: 3,
  });
  const lines = text.split("\n").filter(Boolean);
  ok(lines.every((l) => l.startsWith("km: ")), text);
  ok(lines[0].includes("(srv\\x1b[31m\\nkm: forged)"), lines[0]);
  ok(text.includes("/logs/\\u202efile.jsonl"), text);
});
