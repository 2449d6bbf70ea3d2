import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type Frame, LineFramer } from "./framing.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (b: Uint8Array) => dec.decode(b);

function lines(frames: Frame[]): string[] {
  return frames.map((f) => f.kind === "line" ? text(f.content) : `<oversized ${f.size}>`);
}

Deno.test("LineFramer splits a chunk holding several lines and keeps the remainder", () => {
  const framer = new LineFramer();
  assertEquals(lines(framer.push(enc.encode('{"a":1}\n{"b":2}\n{"c"'))), ['{"a":1}', '{"b":2}']);
  assertEquals(lines(framer.push(enc.encode(":3}\n"))), ['{"c":3}']);
  assertEquals(framer.end(), []);
});

Deno.test("LineFramer keeps the exact raw bytes, CRLF included, and strips it from content", () => {
  const framer = new LineFramer();
  const [frame] = framer.push(enc.encode('{"a":1}\r\n'));
  assertEquals(frame.kind, "line");
  if (frame.kind !== "line") return;
  assertEquals(text(frame.raw), '{"a":1}\r\n');
  assertEquals(text(frame.content), '{"a":1}');
  assertEquals(frame.terminated, true);
});

Deno.test("LineFramer splits only on byte LF, never on U+2028 or U+2029", () => {
  const framer = new LineFramer();
  const line = '{"s":"a\u2028b\u2029c"}';
  assertEquals(lines(framer.push(enc.encode(line + "\n"))), [line]);
});

Deno.test("LineFramer joins a line spread over many single-byte chunks", () => {
  const framer = new LineFramer();
  const bytes = enc.encode('{"jsonrpc":"2.0","method":"x"}\n');
  const frames: Frame[] = [];
  for (const byte of bytes) frames.push(...framer.push(Uint8Array.of(byte)));
  assertEquals(lines(frames), ['{"jsonrpc":"2.0","method":"x"}']);
});

Deno.test("LineFramer yields empty lines rather than dropping them", () => {
  const framer = new LineFramer();
  assertEquals(lines(framer.push(enc.encode("\n\r\n{}\n"))), ["", "", "{}"]);
});

Deno.test("LineFramer flushes an unterminated last line at end of stream", () => {
  const framer = new LineFramer();
  assertEquals(framer.push(enc.encode('{"a":1}')), []);
  const [frame] = framer.end();
  assertEquals(frame.kind === "line" && frame.terminated, false);
  assertEquals(frame.kind === "line" && text(frame.raw), '{"a":1}');
});

Deno.test("LineFramer accepts a line of exactly the limit and reports one byte more as oversized", () => {
  const framer = new LineFramer(8, 4);
  assertEquals(lines(framer.push(enc.encode("12345678\n"))), ["12345678"]);
  const frames = framer.push(enc.encode("123456789\nok\n"));
  assertEquals(lines(frames), ["<oversized 10>", "ok"]);
  const over = frames[0];
  if (over.kind !== "oversized") throw new Error("expected oversized");
  assertEquals(text(over.head), "1234");
  assertEquals(text(over.tail), "6789");
});

Deno.test("LineFramer discards an oversized line across chunks, keeping head and tail only", () => {
  const framer = new LineFramer(16, 4);
  framer.push(enc.encode("abcdefgh"));
  framer.push(enc.encode("ijklmnopqr"));
  assertEquals(framer.buffered, 18);
  framer.push(enc.encode("stuvwx"));
  const [frame] = framer.push(enc.encode("yz\r\nnext\n"));
  if (frame.kind !== "oversized") throw new Error("expected oversized");
  assertEquals(frame.size, 28);
  assertEquals(text(frame.head), "abcd");
  assertEquals(text(frame.tail), "wxyz");
});

Deno.test("LineFramer frames a 32 MiB line from 64 KiB chunks without losing a byte", () => {
  const framer = new LineFramer();
  const count = 512;
  for (let i = 0; i < count; i++) {
    assertEquals(framer.push(new Uint8Array(64 * 1024).fill(0x61 + (i % 26))), []);
  }
  const [frame] = framer.push(enc.encode("\n"));
  if (frame.kind !== "line") throw new Error("expected a line");
  assertEquals(frame.content.length, count * 64 * 1024);
  assertEquals(frame.content[0], 0x61);
  assertEquals(frame.content[frame.content.length - 1], 0x61 + ((count - 1) % 26));
});

Deno.test("LineFramer keeps frames of a chunk bigger than its buffer intact", () => {
  const framer = new LineFramer(1024);
  const many = Array.from({ length: 5000 }, (_, i) => `{"n":${i}}`);
  const frames = framer.push(enc.encode(many.join("\n") + "\n"));
  assertEquals(lines(frames), many);
});

Deno.test("LineFramer gives a big line's memory back once it is consumed", () => {
  const framer = new LineFramer();
  framer.push(new Uint8Array(1024 * 1024).fill(0x61));
  assertEquals(framer.push(enc.encode("\n")).length, 1);
  assertEquals(lines(framer.push(enc.encode("small\n"))), ["small"]);
  assertEquals(framer.memory, 64 * 1024);
});
