import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { LineSplitter } from "./log_lines.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("LineSplitter numbers whole lines and keeps an unfinished one for later", () => {
  const lines = new LineSplitter();
  assertEquals(lines.push(bytes('{"a":1}\n{"b"')), [{ number: 1, text: '{"a":1}' }]);
  equal(lines.pendingBytes, 4);
  assertEquals(lines.push(bytes(":2}\n\n{")), [
    { number: 2, text: '{"b":2}' },
    { number: 3, text: "" },
  ]);
  assertEquals(lines.push(bytes("}")), []);
  assertEquals(lines.push(bytes("\n")), [{ number: 4, text: "{}" }]);
  equal(lines.pendingBytes, 0);
});

Deno.test("LineSplitter joins a character cut between chunks", () => {
  const lines = new LineSplitter();
  const all = bytes("héllo\n");
  assertEquals(lines.push(all.subarray(0, 2)), []);
  assertEquals(lines.push(all.subarray(2)), [{ number: 1, text: "héllo" }]);
});

Deno.test("LineSplitter.dropPending forgets an unfinished line", () => {
  const lines = new LineSplitter();
  lines.push(bytes("torn"));
  lines.dropPending();
  assertEquals(lines.push(bytes("{}\n")), [{ number: 1, text: "{}" }]);
});
