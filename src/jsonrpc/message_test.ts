import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { parseText } from "./message.ts";

Deno.test("parseText classifies a request, keeping id 0 as a real id", () => {
  const m = parseText('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}');
  assertEquals(m.kind, "request");
  if (m.kind !== "request") return;
  assertEquals(m.id, { raw: "0", key: "0" });
  assertEquals(m.method, "initialize");
});

Deno.test("parseText classifies notifications, responses and error responses", () => {
  assertEquals(
    parseText('{"jsonrpc":"2.0","method":"notifications/initialized"}').kind,
    "notification",
  );
  assertEquals(parseText('{"jsonrpc":"2.0","id":"a","result":{}}').kind, "response");
  const e = parseText(
    '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
  );
  assertEquals(e.kind, "error");
  assertEquals(e.kind === "error" && e.id, null);
  assertEquals(e.kind === "error" && e.error.code, -32700);
});

Deno.test("parseText keeps the source text of an id beyond 2^53", () => {
  const m = parseText('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}');
  assertEquals(m.kind === "request" && m.id.raw, "9007199254740993");
  const r = parseText('{"jsonrpc":"2.0","result":{},"id":9007199254740993}');
  assertEquals(r.kind === "response" && r.id.key, "9007199254740993");
  // The neighbouring integer must not collide with it.
  const n = parseText('{"jsonrpc":"2.0","result":{},"id":9007199254740992}');
  ok(n.kind === "response" && n.id.key !== "9007199254740993");
});

Deno.test('parseText distinguishes the string id "1" from the number 1', () => {
  const s = parseText('{"jsonrpc":"2.0","id":"1","method":"ping"}');
  const n = parseText('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  ok(s.kind === "request" && n.kind === "request" && s.id.key !== n.id.key);
});

Deno.test("parseText accepts ids of other JSON types and correlates them by value", () => {
  const m = parseText('{"jsonrpc":"2.0","id":{"a":[1,true]},"method":"ping"}');
  assertEquals(m.kind === "request" && m.id.raw, '{"a":[1,true]}');
});

Deno.test("parseText classifies a batch item by item", () => {
  const m = parseText(
    '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"x"},7]',
  );
  assertEquals(m.kind, "batch");
  if (m.kind !== "batch") return;
  assertEquals(m.items.map((i) => i.kind), ["request", "notification", "invalid"]);
});

Deno.test("parseText reads an unsafe id inside a batch from the source", () => {
  const m = parseText(
    '[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","id":12345678901234567890,"method":"b"}]',
  );
  if (m.kind !== "batch") throw new Error("expected batch");
  const second = m.items[1];
  assertEquals(second.kind === "request" && second.id.raw, "12345678901234567890");
});

Deno.test("parseText reports what is wrong with lines that are not JSON-RPC", () => {
  const cases: [string, string][] = [
    ["not json", "not valid JSON"],
    ["[]", "empty batch"],
    ["42", "must be an object"],
    ['{"id":1,"method":"ping"}', '"jsonrpc" must be "2.0"'],
    ['{"jsonrpc":"2.0","id":1}', '"result" or "error"'],
    ['{"jsonrpc":"2.0"}', '"method" or "id"'],
    ['{"jsonrpc":"2.0","id":1,"method":5}', '"method" must be a string'],
    ['{"jsonrpc":"2.0","id":1,"result":1,"error":{}}', "not both"],
  ];
  for (const [line, reason] of cases) {
    const m = parseText(line);
    assertEquals(m.kind, "invalid", line);
    ok(
      m.kind === "invalid" && m.reason.includes(reason),
      `${line}: ${m.kind === "invalid" && m.reason}`,
    );
    assertEquals(m.kind === "invalid" && m.text, line);
  }
});
