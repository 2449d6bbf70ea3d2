import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { decodeLines, parseLine, parseMessage } from "./parse_line.ts";

const enc = new TextEncoder();

Deno.test("parseMessage rejects empty lines and a byte order mark", () => {
  assertEquals(parseMessage(new Uint8Array()).kind, "invalid");
  const bom = parseMessage(enc.encode('\uFEFF{"jsonrpc":"2.0","method":"x"}'));
  ok(bom.kind === "invalid" && bom.reason.includes("byte order mark"));
});

Deno.test("parseLine reads invalid UTF-8 as lenient peers do, and says so", () => {
  const bytes = enc.encode('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sh"}}');
  const bad = new Uint8Array([...bytes.subarray(0, 60), 0xff, ...bytes.subarray(60)]);
  const { message, text, invalidUtf8 } = parseLine(bad);
  equal(invalidUtf8, true);
  ok(message.kind === "request" && message.method === "tools/call");
  ok(text.includes("\uFFFD"));
  equal(parseLine(bytes).invalidUtf8, undefined);
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
