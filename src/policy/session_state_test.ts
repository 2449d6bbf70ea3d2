import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { Correlator, type Direction } from "../jsonrpc/correlation.ts";
import { parseText } from "../jsonrpc/message.ts";
import type { BatchItem, MessageEvent } from "../relay/events.ts";
import { MAX_UNLISTED_TOOLS, RATE_WINDOW_MS, SessionState } from "./session_state.ts";

const INFO = { id: "s1", server: { name: "everything", command: ["npx", "server-everything"] } };

/** A session fed as the relay would: lines correlated in order, with a clock the test moves. */
function session() {
  const clock = { ms: 1000 };
  const state = new SessionState(INFO, () => clock.ms);
  const correlator = new Correlator();
  let seq = 0;
  const send = (direction: Direction, line: string, forwarded = true): MessageEvent => {
    const message = parseText(line);
    const at = ++seq;
    const link = (m: typeof message): BatchItem => {
      if (m.kind === "request") correlator.request(direction, m, at, clock.ms);
      const correlation = (m.kind === "response" || m.kind === "error") && m.id
        ? correlator.response(direction, m.id, clock.ms)
        : undefined;
      return { message: m, ...(correlation ? { correlation } : {}) };
    };
    const items = message.kind === "batch" ? message.items.map(link) : undefined;
    const event: MessageEvent = {
      direction,
      seq: at,
      at: clock.ms,
      size: line.length + 1,
      message,
      text: line,
      elided: 0,
      forwarded,
      terminated: true,
      ...(items ? { items } : link(message)),
    };
    state.observe(event, forwarded);
    return event;
  };
  return {
    state,
    clock,
    client: (line: string, forwarded?: boolean) => send("client_to_server", line, forwarded),
    server: (line: string) => send("server_to_client", line),
    call: (id: number, name: string, forwarded?: boolean) =>
      send(
        "client_to_server",
        `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}"}}`,
        forwarded,
      ),
  };
}

const tools = (...names: string[]) => JSON.stringify(names.map((name) => ({ name })));
const listed = (state: SessionState, ...names: string[]) =>
  names.map((name) => state.toolDefinition(name)?.name);

Deno.test("snapshot() before any traffic holds only what km was started with", () => {
  const { state } = session();
  assertEquals(state.snapshot(), { id: "s1", server: INFO.server, client: {} });
  assertEquals(state.callStats(), { total: { calls: 0, lastMinute: 0 }, tools: new Map() });
});

Deno.test("observe() learns client and server facts from initialize and its response", () => {
  const { state, client, server } = session();
  client(
    '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",' +
      '"capabilities":{"roots":{}},"clientInfo":{"name":"claude","version":"1.0"}}}',
  );
  assertEquals(state.snapshot().client, {
    info: { name: "claude", version: "1.0" },
    capabilities: { roots: {} },
    protocolVersion: "2025-11-25",
  });
  equal(state.snapshot().protocolVersion, undefined);
  server(
    '{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18",' +
      '"capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"ev","version":"2"}}}',
  );
  assertEquals(state.snapshot(), {
    id: "s1",
    server: {
      ...INFO.server,
      info: { name: "ev", version: "2" },
      capabilities: { tools: { listChanged: true } },
    },
    client: {
      info: { name: "claude", version: "1.0" },
      capabilities: { roots: {} },
      protocolVersion: "2025-11-25",
    },
    protocolVersion: "2025-06-18",
  });
});

Deno.test("introduce() and observe() learn a 2026-07-28 session from _meta and server/discover", () => {
  const { state, client, server } = session();
  const meta = (version: string, name: string) =>
    `"_meta":{"io.modelcontextprotocol/protocolVersion":"${version}",` +
    `"io.modelcontextprotocol/clientInfo":{"name":"${name}","version":"2.3"},` +
    `"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{}}}}`;
  const discover = client(
    `{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{${meta("2026-07-28", "py")}}}`,
  );
  // observe() runs after the decision; introduce() is what the decision itself sees.
  const fresh = new SessionState(INFO, () => 0);
  fresh.introduce(discover);
  assertEquals(fresh.snapshot().client, {
    info: { name: "py", version: "2.3" },
    capabilities: { elicitation: { form: {} } },
    protocolVersion: "2026-07-28",
  });
  equal(fresh.snapshot().protocolVersion, "2026-07-28");
  state.introduce(discover);
  server(
    '{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","supportedVersions":["2026-07-28"],' +
      '"capabilities":{"tools":{}},"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"srv"}}}}',
  );
  assertEquals(state.snapshot().server, {
    ...INFO.server,
    info: { name: "srv" },
    capabilities: { tools: {} },
  });
  // A server's request, or a response, is no claim about the client.
  state.introduce(
    server(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{${meta("2099-01-01", "x")}}}`),
  );
  equal(state.snapshot().protocolVersion, "2026-07-28");
  // The latest request's version is the one in force until an initialize agrees on one.
  state.introduce(
    client(`{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{${meta("2027-01-01", "py")}}}`),
  );
  equal(state.snapshot().protocolVersion, "2027-01-01");
});

Deno.test("observe() ignores initialize answers that answer no initialize request", () => {
  const { state, client, server } = session();
  const result = '"result":{"protocolVersion":"x","serverInfo":{"name":"forged"}}}';
  server(`{"jsonrpc":"2.0","id":0,${result}`); // before any request: unmatched
  client('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  server(`{"jsonrpc":"2.0","id":1,${result}`); // answers ping
  client('{"jsonrpc":"2.0","id":2,"method":"initialize","params":{}}');
  server('{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"bad version"}}');
  assertEquals(state.snapshot(), { id: "s1", server: INFO.server, client: {} });
});

Deno.test("observe() takes client facts from client requests only", () => {
  const { state, server } = session();
  server('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"clientInfo":{"name":"x"}}}');
  assertEquals(state.snapshot().client, {});
});

Deno.test("a second initialize replaces the client facts of the first", () => {
  const { state, client } = session();
  client(
    '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"a",' +
      '"capabilities":{},"clientInfo":{"name":"one"}}}',
  );
  client('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"clientInfo":{"name":"two"}}}');
  assertEquals(state.snapshot().client, { info: { name: "two" } });
});

Deno.test("toolDefinition() returns the tool from the latest tools/list, replaced by the next", () => {
  const { state, client, server } = session();
  equal(state.toolDefinition("echo"), undefined);
  client('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  server(`{"jsonrpc":"2.0","id":1,"result":{"tools":${tools("echo", "add")}}}`);
  assertEquals(state.toolDefinition("echo"), { name: "echo" });
  client('{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}');
  server(
    '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"echo","description":"v2"}]}}',
  );
  assertEquals(state.toolDefinition("echo"), { name: "echo", description: "v2" });
  equal(state.toolDefinition("add"), undefined, "a tool the new list lacks is gone");
});

Deno.test("tools/list pages with a cursor add to the first page", () => {
  const { state, client, server } = session();
  client('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  server(`{"jsonrpc":"2.0","id":1,"result":{"tools":${tools("a")},"nextCursor":"p2"}}`);
  client('{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"p2"}}');
  server(`{"jsonrpc":"2.0","id":2,"result":{"tools":${tools("b")}}}`);
  assertEquals(listed(state, "a", "b"), ["a", "b"]);
  // A new listing starts over.
  client('{"jsonrpc":"2.0","id":3,"method":"tools/list"}');
  server(`{"jsonrpc":"2.0","id":3,"result":{"tools":${tools("c")}}}`);
  assertEquals(listed(state, "a", "b", "c"), [undefined, undefined, "c"]);
});

Deno.test("tools/list answers that are unmatched, errors or malformed teach no tools", () => {
  const { state, client, server } = session();
  client('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  server(`{"jsonrpc":"2.0","id":1,"result":{"tools":${tools("a")}}}`);
  server(`{"jsonrpc":"2.0","id":1,"result":{"tools":${tools("forged")}}}`); // duplicate
  client('{"jsonrpc":"2.0","id":2,"method":"tools/list"}');
  server('{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"boom"}}');
  client('{"jsonrpc":"2.0","id":3,"method":"tools/list"}');
  server('{"jsonrpc":"2.0","id":3,"result":{"tools":"nope"}}');
  client('{"jsonrpc":"2.0","id":4,"method":"tools/list"}');
  server('{"jsonrpc":"2.0","id":4,"result":{"tools":[{"name":5},null,{"name":"b"}]}}');
  assertEquals(listed(state, "a", "forged", "b"), [undefined, undefined, "b"]);
});

Deno.test("observe() learns tools/list requests and answers inside batches", () => {
  const { state, client, server } = session();
  client(
    '[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"ping"}]',
  );
  server(
    `[{"jsonrpc":"2.0","id":2,"result":{}},{"jsonrpc":"2.0","id":1,"result":{"tools":${
      tools("x")
    }}}]`,
  );
  assertEquals(listed(state, "x"), ["x"]);
});

Deno.test("callStats() counts forwarded tools/call requests per tool", () => {
  const { state, client, call } = session();
  call(1, "echo");
  call(2, "echo");
  call(3, "add");
  call(4, "rm", false); // denied: never reached the server
  client('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{}}'); // no name: total only
  client(
    '[{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"add"}},' +
      '{"jsonrpc":"2.0","method":"notifications/progress"}]',
  );
  assertEquals(state.callStats(), {
    total: { calls: 5, lastMinute: 5 },
    tools: new Map([["echo", { calls: 2, lastMinute: 2 }], ["add", { calls: 2, lastMinute: 2 }]]),
  });
});

Deno.test("callStats() counts calls of unlisted names per tool up to a limit, listed ones always", () => {
  const { state, client, server, call } = session();
  client('{"jsonrpc":"2.0","id":"l","method":"tools/list"}');
  server(`{"jsonrpc":"2.0","id":"l","result":{"tools":${tools("real")}}}`);
  for (let i = 0; i < MAX_UNLISTED_TOOLS + 50; i++) call(i, `made_up_${i}`);
  call(-1, "real");
  call(-2, "made_up_0");
  const { total, tools: counted } = state.callStats();
  equal(total.calls, MAX_UNLISTED_TOOLS + 52);
  equal(counted.size, MAX_UNLISTED_TOOLS + 1);
  assertEquals(counted.get("real"), { calls: 1, lastMinute: 1 });
  assertEquals(counted.get("made_up_0"), { calls: 2, lastMinute: 2 });
  equal(counted.has(`made_up_${MAX_UNLISTED_TOOLS}`), false);
});

Deno.test("callStats() counts a call in the last minute for 60 s, not a millisecond more", () => {
  const { state, clock, call } = session();
  call(1, "echo");
  clock.ms += 30_000;
  call(2, "echo");
  clock.ms += RATE_WINDOW_MS - 30_000 - 1;
  assertEquals(state.callStats().total, { calls: 2, lastMinute: 2 });
  clock.ms += 1;
  assertEquals(state.callStats().total, { calls: 2, lastMinute: 1 });
  clock.ms += 30_000;
  assertEquals(state.callStats().tools.get("echo"), { calls: 2, lastMinute: 0 });
  call(3, "echo");
  assertEquals(state.callStats().tools.get("echo"), { calls: 3, lastMinute: 1 });
});

Deno.test("callStats() stays exact while old calls are dropped, at any rate", () => {
  const { state, clock, call } = session();
  const times: number[] = [];
  const recent = () => times.filter((t) => t > clock.ms - RATE_WINDOW_MS).length;
  // Bursts of seven calls every 70 ms for five minutes, read now and then.
  for (let i = 0; i < 30_000; i++) {
    if (i % 7 === 0) clock.ms += 70;
    call(i, i % 3 === 0 ? "a" : "b");
    times.push(clock.ms);
    if (i % 997 === 0) equal(state.callStats().total.lastMinute, recent());
  }
  const { total, tools } = state.callStats();
  assertEquals(total, { calls: 30_000, lastMinute: recent() });
  equal(tools.get("a")!.lastMinute + tools.get("b")!.lastMinute, recent());
  clock.ms += RATE_WINDOW_MS;
  assertEquals(state.callStats().total, { calls: 30_000, lastMinute: 0 });
});
