import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import type { MessageEvent } from "../relay/events.ts";
import { messageEvent } from "../relay/_testing.ts";
import { Enforcer } from "./enforcer.ts";
import { loadPolicy } from "./load_policy.ts";
import { requireOpa } from "./_testing.ts";
import { SessionState } from "./session_state.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function enforcer(rego: string, mode: "enforce" | "audit" = "enforce") {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/p.rego`, `package kilometers\nimport rego.v1\n${rego}\n`);
  const loaded = await loadPolicy(dir, { opa: requireOpa() });
  await Deno.remove(dir, { recursive: true });
  return new Enforcer({
    loaded,
    state: new SessionState({ id: "s", server: { name: "srv", command: ["srv"] } }, () => 0),
    mode,
    failClosed: { client_to_server: true, server_to_client: true },
    now: () => 0,
  });
}

function event(
  line: string,
  direction: MessageEvent["direction"] = "client_to_server",
): MessageEvent {
  return messageEvent(line, { direction, forwarded: false });
}

const CALL =
  '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"rm","arguments":{"path":"/"}}}';

Deno.test("Enforcer forwards an allowed message as the exact bytes received", async () => {
  const e = await enforcer('deny contains "x" if input.tool.name == "other"');
  const raw = enc.encode(CALL + "\r\n");
  const verdict = e.decide(event(CALL), raw);
  equal(verdict.forward, raw);
  equal(verdict.summary.action, "allow");
});

Deno.test("Enforcer answers a denied request with -32010 and its reasons, and drops its cancellation", async () => {
  const e = await enforcer(
    'deny contains {"rule": "no-rm", "reason": "rm is off limits"} if input.tool.name == "rm"',
  );
  const verdict = e.decide(event(CALL), enc.encode(CALL + "\n"));
  equal(verdict.forward, undefined);
  equal(verdict.answersRequest, true);
  const reply = JSON.parse(dec.decode(verdict.replyToSender));
  equal(reply.id, 7);
  equal(reply.error.code, -32010);
  equal(reply.error.message, "Blocked by policy: rm is off limits");
  assertEquals(reply.error.data, { reasons: ["rm is off limits"], rules: ["no-rm"] });
  const cancel = '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}';
  const dropped = e.decide(event(cancel), enc.encode(cancel + "\n"));
  equal(dropped.forward, undefined);
  equal(dropped.summary.applied, "drop");
});

Deno.test("Enforcer turns a denied response into an error for the requester", async () => {
  const e = await enforcer('deny contains "no results today" if input.kind == "response"');
  const line = '{"jsonrpc":"2.0","id":"a","result":{}}';
  const verdict = e.decide(event(line, "server_to_client"), enc.encode(line + "\n"));
  equal(verdict.forward, undefined);
  const reply = JSON.parse(dec.decode(verdict.replyToReceiver));
  equal(reply.id, "a");
  ok(reply.error.message.startsWith("Response blocked by policy"));
});

Deno.test("Enforcer re-serialises a transformed message only when it changed, keeping CRLF", async () => {
  const e = await enforcer(
    'patch contains {"op": "add", "path": "/params/arguments/dry_run", "value": true} if input.tool.name == "rm"',
  );
  const verdict = e.decide(event(CALL), enc.encode(CALL + "\r\n"));
  const text = dec.decode(verdict.forward);
  ok(text.endsWith("}\r\n"));
  equal(JSON.parse(text).params.arguments.dry_run, true);
  equal(verdict.summary.applied, "transform");
});

Deno.test("Enforcer in audit mode forwards everything and records the would-be action", async () => {
  const e = await enforcer('deny contains "x" if input.tool.name == "rm"', "audit");
  const raw = enc.encode(CALL + "\n");
  const verdict = e.decide(event(CALL), raw);
  equal(verdict.forward, raw);
  equal(verdict.summary.action, "deny");
  equal(verdict.summary.applied, "audit");
});

Deno.test("Enforcer fails closed for requests and drops a notification it cannot evaluate", async () => {
  const e = await enforcer(
    'level := 1 if true\nlevel := 2 if true\ndeny contains "x" if level == 3',
  );
  const request = e.decide(event(CALL), enc.encode(CALL + "\n"));
  equal(request.summary.action, "error");
  ok(dec.decode(request.replyToSender).includes("policy evaluation failed"));
  const note = '{"jsonrpc":"2.0","method":"notifications/progress","params":{}}';
  const notification = e.decide(event(note, "server_to_client"), enc.encode(note + "\n"));
  equal(notification.forward, undefined);
});

Deno.test("Enforcer transforms the whole of a line it inspected through a skeleton", async () => {
  const e = await enforcer(
    'redact contains {"path": "/result/content", "pattern": "token-[0-9]+"} if input.kind == "response"',
  );
  const big = "z".repeat(2 * 1024 * 1024);
  const line = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    result: { content: [{ type: "text", text: `token-42 ${big}` }] },
  });
  const skeleton = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    result: { content: [{ type: "text", text: "token-42 zz…[cut]" }] },
  });
  const verdict = e.decide(
    { ...event(skeleton, "server_to_client"), elided: 1, size: line.length + 1 },
    enc.encode(line + "\n"),
  );
  const sent = JSON.parse(dec.decode(verdict.forward));
  equal(sent.result.content[0].text, `[REDACTED] ${big}`);
});
