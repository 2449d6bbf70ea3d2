import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { Correlator, looseKeys } from "./correlation.ts";
import { parseText, type RequestMessage, type ResponseMessage } from "./message.ts";

const req = (line: string) => parseText(line) as RequestMessage;
const res = (line: string) => parseText(line) as ResponseMessage;

Deno.test("Correlator keeps each side's id 0 apart", () => {
  const c = new Correlator();
  c.request("client_to_server", req('{"jsonrpc":"2.0","id":0,"method":"initialize"}'), 1, 10);
  c.request("server_to_client", req('{"jsonrpc":"2.0","id":0,"method":"roots/list"}'), 2, 11);
  // The client answers the server's roots/list first.
  const toServer = c.response(
    "client_to_server",
    res('{"jsonrpc":"2.0","id":0,"result":{}}').id,
    15,
  );
  equal(toServer?.request.method, "roots/list");
  equal(toServer?.latencyMs, 4);
  const toClient = c.response(
    "server_to_client",
    res('{"jsonrpc":"2.0","id":0,"result":{}}').id,
    20,
  );
  equal(toClient?.request.method, "initialize");
  equal(toClient?.request.seq, 1);
});

Deno.test("Correlator knows the tool of a tools/call and matches responses in any order", () => {
  const c = new Correlator();
  c.request(
    "client_to_server",
    req('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}'),
    1,
    0,
  );
  c.request(
    "client_to_server",
    req('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"sum"}}'),
    2,
    0,
  );
  equal(
    c.response("server_to_client", res('{"jsonrpc":"2.0","id":2,"result":{}}').id, 1)?.request.tool,
    "sum",
  );
  equal(
    c.response("server_to_client", res('{"jsonrpc":"2.0","id":1,"result":{}}').id, 1)?.request.tool,
    "echo",
  );
});

Deno.test("Correlator reports a duplicate response as unmatched", () => {
  const c = new Correlator();
  c.request("client_to_server", req('{"jsonrpc":"2.0","id":"x","method":"ping"}'), 1, 0);
  const id = res('{"jsonrpc":"2.0","id":"x","result":{}}').id;
  equal(c.response("server_to_client", id, 1)?.request.method, "ping");
  equal(c.response("server_to_client", id, 2), undefined);
});

Deno.test("Correlator keeps a cancelled request pending so a late response still correlates", () => {
  const c = new Correlator();
  c.request(
    "client_to_server",
    req('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"slow"}}'),
    1,
    0,
  );
  equal(c.cancel("client_to_server", "5")?.tool, "slow");
  equal(c.pending("client_to_server").length, 1);
  const late = c.response("server_to_client", res('{"jsonrpc":"2.0","id":5,"result":{}}').id, 9);
  equal(late?.request.cancelled, true);
  assertEquals(c.pending("client_to_server"), []);
});

Deno.test("Correlator reports a reused id of a pending request", () => {
  const c = new Correlator();
  const r = req('{"jsonrpc":"2.0","id":3,"method":"ping"}');
  equal(c.request("client_to_server", r, 1, 0), false);
  equal(c.request("client_to_server", r, 2, 0), true);
});

Deno.test("Correlator forgets the oldest pending request beyond its limit", () => {
  const request = (id: number) => req(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
  const correlator = new Correlator(3);
  for (let id = 1; id <= 5; id++) correlator.request("client_to_server", request(id), id, 0);
  equal(correlator.forgotten, 2);
  assertEquals(correlator.pending("client_to_server").map((p) => p.id.raw), ["3", "4", "5"]);
  equal(correlator.response("server_to_client", request(1).id, 1), undefined);
  equal(correlator.response("server_to_client", request(3).id, 1)?.request.seq, 3);
  // The limit is per direction.
  correlator.request("server_to_client", request(1), 6, 0);
  equal(correlator.pending("server_to_client").length, 1);
});

Deno.test("Correlator matches a response id the way SDK clients do, and says so", () => {
  const c = new Correlator();
  for (const id of [1, 16, 10, 0]) {
    c.request("client_to_server", req(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`), id, 0);
  }
  const answer = (id: string) =>
    c.response("server_to_client", res(`{"jsonrpc":"2.0","id":${id},"result":{}}`).id, 1);
  // TypeScript's Number(id): "1", "0x10"; Python's int(id): "1_0"; "" is Number 0.
  for (const [id, seq] of [['"1"', 1], ['"0x10"', 16], ['"1_0"', 10], ['""', 0]] as const) {
    const matched = answer(id);
    equal(matched?.request.seq, seq, id);
    equal(matched?.looseId, true, id);
  }
  equal(answer('"1"'), undefined);
});

Deno.test("looseKeys offers the number for a numeric string and the string for a number", () => {
  assertEquals(looseKeys(res('{"jsonrpc":"2.0","id":" +7 ","result":1}').id), ["7"]);
  assertEquals(looseKeys(res('{"jsonrpc":"2.0","id":7,"result":1}').id), ['"7"']);
  assertEquals(looseKeys(res('{"jsonrpc":"2.0","id":"abc","result":1}').id), []);
});

Deno.test("Correlator ties a task to the tools/call that created it, in either protocol's shape", () => {
  const c = new Correlator();
  const call = (id: number, name: string) =>
    c.request(
      "client_to_server",
      req(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}"}}`),
      id,
      0,
    );
  call(1, "research");
  call(2, "build");
  const answer = (id: number, result: unknown) =>
    c.learnTask(
      c.response("server_to_client", res(`{"jsonrpc":"2.0","id":${id},"result":{}}`).id, 1),
      result,
    );
  answer(1, { task: { taskId: "t-old", status: "working" } }); // 2025-11-25
  answer(2, { resultType: "task", taskId: "t-new", status: "working" }); // 2026-07-28 extension
  equal(c.taskTool("tasks/get", { taskId: "t-old" }), "research");
  equal(c.taskTool("tasks/result", { taskId: "t-old" }), "research");
  equal(
    c.taskTool("notifications/tasks/status", { taskId: "t-new", status: "completed" }),
    "build",
  );
  equal(c.taskTool("tasks/update", { taskId: "t-new" }), "build");
  equal(c.taskTool("tasks/get", { taskId: "unknown" }), undefined);
  equal(c.taskTool("tools/call", { taskId: "t-old" }), undefined, "only task methods name a task");
  // A task request's answer knows the tool through its request.
  c.request(
    "client_to_server",
    req('{"jsonrpc":"2.0","id":3,"method":"tasks/result","params":{"taskId":"t-old"}}'),
    3,
    0,
  );
  equal(
    c.response("server_to_client", res('{"jsonrpc":"2.0","id":3,"result":{}}').id, 2)?.request.tool,
    "research",
  );
  // Only an answer to a tools/call creates a task.
  c.request(
    "client_to_server",
    req('{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{}}'),
    4,
    0,
  );
  answer(4, { task: { taskId: "t-x" } });
  equal(c.taskTool("tasks/get", { taskId: "t-x" }), undefined);
});
