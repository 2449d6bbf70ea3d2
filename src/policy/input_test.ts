import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { type Correlation, type Direction, toolOf } from "../jsonrpc/correlation.ts";
import { parseText, type RequestMessage } from "../jsonrpc/message.ts";
import type { BatchItem, MessageEvent } from "../relay/events.ts";
import { messageEvent } from "../relay/_testing.ts";
import { POLICY_INPUT_VERSION, type PolicyInput, policyInput } from "./input.ts";
import { SessionState } from "./session_state.ts";

const SERVER = { name: "everything", command: ["npx", "-y", "server-everything"] };
const ECHO = { name: "echo", description: "Echoes", inputSchema: { type: "object" } };
const CALL =
  '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}';

function event(line: string, direction: Direction = "client_to_server", more = {}): MessageEvent {
  return messageEvent(line, { direction, seq: 10, ...more });
}

/** What the relay's correlator would attach to a response to `requestLine`. */
function answering(requestLine: string, seq = 4, latencyMs = 12.3456, cancelled = false) {
  const request = parseText(requestLine) as RequestMessage;
  const correlation: Correlation = {
    request: {
      id: request.id,
      seq,
      method: request.method,
      tool: toolOf(request.method, request.params),
      startedAt: 0,
      cancelled,
    },
    latencyMs,
  };
  return { correlation };
}

/** A session that has seen initialize and a tools/list listing echo, with a clock to move. */
function initialized() {
  const clock = { ms: 0 };
  const state = new SessionState({ id: "s1", server: SERVER }, () => clock.ms);
  const exchange = (request: string, result: unknown) => {
    state.observe(event(request), true);
    const response = JSON.stringify({ jsonrpc: "2.0", id: JSON.parse(request).id, result });
    state.observe(event(response, "server_to_client", answering(request)), true);
  };
  exchange(
    '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",' +
      '"capabilities":{"sampling":{}},"clientInfo":{"name":"claude-code","version":"2.1"}}}',
    {
      protocolVersion: "2025-06-18",
      capabilities: { tools: {} },
      serverInfo: { name: "example-servers/everything", version: "1.0.0" },
    },
  );
  exchange('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', { tools: [ECHO, { name: "add" }] });
  return { state, clock };
}

const SESSION = {
  id: "s1",
  server: {
    ...SERVER,
    info: { name: "example-servers/everything", version: "1.0.0" },
    capabilities: { tools: {} },
  },
  client: {
    info: { name: "claude-code", version: "2.1" },
    capabilities: { sampling: {} },
    protocol_version: "2025-11-25",
  },
  protocol_version: "2025-06-18",
};
const NO_STATS = { tools: {}, calls: 0, last_minute: 0 };

/** The input as the engine receives it: JSON, where an undefined member would vanish. */
function input(e: MessageEvent, state: SessionState, mode: "enforce" | "audit" = "enforce") {
  const doc = policyInput(e, state, mode);
  assertEquals(JSON.parse(JSON.stringify(doc)), doc, "only JSON values, no undefined members");
  return doc;
}

Deno.test("policyInput() describes a tools/call request with its tool and the session", () => {
  const { state } = initialized();
  assertEquals(
    input(event(CALL), state),
    {
      version: POLICY_INPUT_VERSION,
      direction: "client_to_server",
      kind: "request",
      method: "tools/call",
      id: "7",
      message: JSON.parse(CALL),
      tool: { name: "echo", arguments: { message: "hi" }, definition: ECHO },
      session: SESSION,
      stats: NO_STATS,
      mode: "enforce",
    } satisfies PolicyInput,
  );
  equal(POLICY_INPUT_VERSION, 1);
});

Deno.test("policyInput() describes a tools/call response with its request and tool", () => {
  const { state } = initialized();
  const line = '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hi"}]}}';
  assertEquals(input(event(line, "server_to_client", answering(CALL)), state, "audit"), {
    version: 1,
    direction: "server_to_client",
    kind: "response",
    method: "tools/call",
    id: "7",
    message: JSON.parse(line),
    tool: { name: "echo", definition: ECHO },
    request: { method: "tools/call", id: "7", tool: "echo", seq: 4, latency_ms: 12.346 },
    session: SESSION,
    stats: NO_STATS,
    mode: "audit",
  });
});

Deno.test("policyInput() describes an error response to a cancelled request", () => {
  const { state } = initialized();
  const line = '{"jsonrpc":"2.0","id":"a","error":{"code":-32603,"message":"boom"}}';
  const request = '{"jsonrpc":"2.0","id":"a","method":"resources/read","params":{"uri":"x"}}';
  const doc = input(event(line, "server_to_client", answering(request, 9, 5, true)), state);
  equal(doc.kind, "error");
  equal(doc.method, "resources/read");
  equal(doc.id, '"a"');
  equal(doc.tool, undefined);
  assertEquals(doc.request, {
    method: "resources/read",
    id: '"a"',
    seq: 9,
    latency_ms: 5,
    cancelled: true,
  });
});

Deno.test("policyInput() leaves out method, request and tool of an unmatched response", () => {
  const { state } = initialized();
  const line = '{"jsonrpc":"2.0","id":99,"result":{}}';
  const doc = input(event(line, "server_to_client"), state);
  assertEquals(Object.keys(doc), [
    "version",
    "direction",
    "kind",
    "id",
    "message",
    "session",
    "stats",
    "mode",
  ]);
  equal(doc.id, "99");
});

Deno.test("policyInput() leaves out the id of an error about an unreadable request", () => {
  const line = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}';
  const doc = input(event(line, "server_to_client"), initialized().state);
  equal(doc.kind, "error");
  ok(!("id" in doc) && !("method" in doc) && !("request" in doc));
  assertEquals(doc.message, JSON.parse(line));
});

Deno.test("policyInput() keeps an id's JSON text, digits beyond 2^53 included", () => {
  const line = '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}';
  equal(input(event(line), initialized().state).id, "9007199254740993");
  equal(input(event('{"jsonrpc":"2.0","id":0,"method":"ping"}'), initialized().state).id, "0");
});

Deno.test("policyInput() describes notifications and server requests without a tool", () => {
  const { state } = initialized();
  const note = '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}';
  const doc = input(event(note, "server_to_client"), state);
  assertEquals([doc.kind, doc.method, "id" in doc, "tool" in doc], [
    "notification",
    "notifications/progress",
    false,
    false,
  ]);
  const sampling = '{"jsonrpc":"2.0","id":0,"method":"sampling/createMessage","params":{}}';
  const request = input(event(sampling, "server_to_client"), state);
  assertEquals([request.direction, request.kind, request.method, request.id], [
    "server_to_client",
    "request",
    "sampling/createMessage",
    "0",
  ]);
});

Deno.test("policyInput() gives a tools/call for an unlisted tool no definition", () => {
  const { state } = initialized();
  const line = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}';
  assertEquals(input(event(line), state).tool, { name: "rm" });
  const nameless = '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}}';
  equal(input(event(nameless), state).tool, undefined);
});

Deno.test("policyInput() describes a batch as a whole", () => {
  const { state } = initialized();
  const line = `[${CALL},{"jsonrpc":"2.0","method":"notifications/initialized"}]`;
  const parsed = parseText(line);
  const items: BatchItem[] = parsed.kind === "batch"
    ? parsed.items.map((message) => ({ message }))
    : [];
  assertEquals(input(event(line, "client_to_server", { items }), state), {
    version: 1,
    direction: "client_to_server",
    kind: "batch",
    message: JSON.parse(line),
    session: SESSION,
    stats: NO_STATS,
    mode: "enforce",
  });
});

Deno.test("policyInput() gives an invalid line's text and the reason", () => {
  const { state } = initialized();
  const doc = input(event("hello {", "server_to_client"), state);
  equal(doc.kind, "invalid");
  equal((doc.message as { raw: string }).raw, "hello {");
  ok((doc.message as { reason: string }).reason.startsWith("not valid JSON"));
  const notRpc = input(event('{"jsonrpc":"1.0","id":1}'), state);
  assertEquals(notRpc.message, {
    raw: '{"jsonrpc":"1.0","id":1}',
    reason: '"jsonrpc" must be "2.0"',
  });
  ok(!("method" in notRpc) && !("id" in notRpc));
});

Deno.test("policyInput() before initialize names only the server km started", () => {
  const state = new SessionState({ id: "s1", server: SERVER }, () => 0);
  const doc = input(event('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}'), state);
  assertEquals(doc.session, { id: "s1", server: SERVER, client: {} });
});

Deno.test("policyInput() counts the calls before this one, per tool and in the last minute", () => {
  const { state, clock } = initialized();
  const call = (id: number, name: string, forwarded = true) => {
    const e = event(
      `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}"}}`,
    );
    const doc = input(e, state);
    state.observe(e, forwarded);
    return doc.stats;
  };
  assertEquals(call(10, "echo"), NO_STATS);
  clock.ms = 20_000;
  call(11, "add");
  call(12, "rm", false); // denied: not a call
  clock.ms = 59_999;
  assertEquals(call(13, "echo"), {
    tools: { echo: { calls: 1, last_minute: 1 }, add: { calls: 1, last_minute: 1 } },
    calls: 2,
    last_minute: 2,
  });
  clock.ms = 80_000;
  assertEquals(call(14, "echo"), {
    tools: { echo: { calls: 2, last_minute: 1 }, add: { calls: 1, last_minute: 0 } },
    calls: 3,
    last_minute: 1,
  });
});

Deno.test("policyInput() lists a tool named __proto__ in stats like any other", () => {
  const { state } = initialized();
  const e = event('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"__proto__"}}');
  state.observe(e, true);
  const { stats } = input(e, state);
  ok(Object.hasOwn(stats.tools, "__proto__"));
  assertEquals(JSON.parse(JSON.stringify(stats)).tools.__proto__, { calls: 1, last_minute: 1 });
});

Deno.test("policyInput() uses the definition from the latest tools/list pages", () => {
  const { state } = initialized();
  const list = (id: number, params: string, tools: unknown[]) => {
    const request = `{"jsonrpc":"2.0","id":${id},"method":"tools/list"${params}}`;
    state.observe(event(request), true);
    const response = JSON.stringify({ jsonrpc: "2.0", id, result: { tools } });
    state.observe(event(response, "server_to_client", answering(request)), true);
  };
  const definition = (name: string) =>
    input(
      event(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${name}"}}`),
      state,
    ).tool?.definition;
  const echo2 = { ...ECHO, annotations: { readOnlyHint: true } };
  list(20, "", [echo2]);
  assertEquals([definition("echo"), definition("add")], [echo2, undefined]);
  list(21, ',"params":{"cursor":"2"}', [{ name: "add", description: "page 2" }]);
  assertEquals([definition("echo"), definition("add")], [echo2, {
    name: "add",
    description: "page 2",
  }]);
  // The definition also reaches the tool of a response.
  const response = event(
    '{"jsonrpc":"2.0","id":7,"result":{}}',
    "server_to_client",
    answering(CALL),
  );
  assertEquals(input(response, state).tool, { name: "echo", definition: echo2 });
});

Deno.test("policyInput() with members builds only those (and no session or stats)", () => {
  const state = new SessionState({ id: "s1", server: { name: "srv", command: ["srv"] } }, () => 0);
  const call = messageEvent(
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"a":1}}}',
  );
  const snapshot = state.snapshot.bind(state);
  let snapshots = 0;
  state.snapshot = () => (snapshots++, snapshot());
  assertEquals(policyInput(call, state, "enforce", new Set(["kind", "tool"])), {
    kind: "request",
    tool: { name: "echo", arguments: { a: 1 } },
  });
  assertEquals(policyInput(call, state, "enforce", new Set()), {});
  equal(snapshots, 0);
  const full = policyInput(call, state, "enforce", undefined);
  assertEquals(Object.keys(full).sort(), [
    "direction",
    "id",
    "kind",
    "message",
    "method",
    "mode",
    "session",
    "stats",
    "tool",
    "version",
  ]);
  equal(snapshots, 1);
});

Deno.test("policyInput() gives a task's poll and its answer the tool of the call that created it", () => {
  const { state } = initialized();
  const poll =
    '{"jsonrpc":"2.0","id":9,"method":"tasks/get","params":{"taskId":"t1","arguments":{"x":1}}}';
  const request = input(event(poll, "client_to_server", { tool: "echo" }), state);
  assertEquals(
    request.tool,
    { name: "echo", definition: ECHO },
    "no arguments: a poll carries none",
  );
  const answer = '{"jsonrpc":"2.0","id":9,"result":{"content":[]}}';
  const correlation = answering(poll).correlation;
  const response = input(
    event(answer, "server_to_client", {
      correlation: { ...correlation, request: { ...correlation.request, tool: "echo" } },
    }),
    state,
  );
  equal(response.method, "tasks/get");
  assertEquals(response.tool, { name: "echo", definition: ECHO });
});
