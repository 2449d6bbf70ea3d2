import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { decodeLines, parseLine, parseMessage, parseText } from "./message.ts";

const enc = new TextEncoder();

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

Deno.test("parseMessage rejects empty lines, a byte order mark and invalid UTF-8", () => {
  assertEquals(parseMessage(new Uint8Array()).kind, "invalid");
  const bom = parseMessage(enc.encode('\uFEFF{"jsonrpc":"2.0","method":"x"}'));
  ok(bom.kind === "invalid" && bom.reason.includes("byte order mark"));
  const bad = parseMessage(Uint8Array.of(0x7b, 0xff, 0x7d));
  ok(bad.kind === "invalid" && bad.reason.includes("UTF-8"));
});

Deno.test("parseMessage keeps raw U+2028 and U+2029 inside strings", () => {
  const m = parseMessage(
    enc.encode('{"jsonrpc":"2.0","method":"x","params":{"s":"a\u2028b\u2029"}}'),
  );
  assertEquals(m.kind === "notification" && (m.params as { s: string }).s, "a\u2028b\u2029");
});

Deno.test("parseLine inspects a line over 1 MiB through its skeleton", () => {
  const line = JSON.stringify({
    jsonrpc: "2.0",
    id: 4,
    result: { content: [{ type: "text", text: "z".repeat(3 << 20) }] },
  });
  const { message, text, elided } = parseLine(enc.encode(line));
  assertEquals(message.kind, "response");
  assertEquals(elided, 1);
  ok(text.length < 20_000);
  const shown = (message as { result: { content: { text: string }[] } }).result.content[0].text;
  ok(
    shown.endsWith(`…[${(3 << 20) - 16 * 1024} more bytes not inspected by km]`),
    shown.slice(-60),
  );
});

Deno.test("decodeLines decodes back-to-back lines in one go, exactly as one by one", () => {
  const lines = ['{"a":1}\n', '{"b":"é😀"}\r\n', "\n", "\uFEFF{}\n", '{"c":3}'];
  const bytes = enc.encode(lines.join(""));
  const raws: Uint8Array[] = [];
  let offset = 0;
  for (const line of lines) {
    const size = enc.encode(line).length;
    raws.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  assertEquals(decodeLines(raws), ['{"a":1}', '{"b":"é😀"}', "", "\uFEFF{}", '{"c":3}']);
  for (const [i, raw] of raws.entries()) {
    const content = raw.subarray(
      0,
      raw.length - (lines[i].endsWith("\r\n") ? 2 : lines[i].endsWith("\n") ? 1 : 0),
    );
    assertEquals(parseLine(content, decodeLines(raws)[i]).message, parseLine(content).message);
  }
});

Deno.test("decodeLines leaves a run with invalid UTF-8 and lines with gaps to per-line decoding", () => {
  const bytes = Uint8Array.of(0x7b, 0x7d, 0x0a, 0xff, 0x0a);
  assertEquals(decodeLines([bytes.subarray(0, 3), bytes.subarray(3, 5)]), [undefined, undefined]);
  assertEquals(decodeLines([bytes.subarray(0, 3), undefined, bytes.subarray(3, 5)]), [
    undefined,
    undefined,
    undefined,
  ]);
});
