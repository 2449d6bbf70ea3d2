import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type SseEvent, sseParser } from "./sse.ts";

function parse(pieces: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const feed = sseParser((e) => events.push(e));
  for (const piece of pieces) feed(piece);
  return events;
}

Deno.test("sseParser reads events split anywhere, with every line ending", () => {
  const stream = 'event: hello\ndata: {"records":7}\n\n: ping\n\nevent:record\r\ndata: a\r\n' +
    "data: b\r\n\r\ndata: plain\r\rid: 3\nretry: 10\n\n";
  const whole = parse([stream]);
  assertEquals(whole, [
    { event: "hello", data: '{"records":7}' },
    { event: "record", data: "a\nb" },
    { event: "message", data: "plain" },
  ]);
  // The same, one character at a time.
  assertEquals(parse([...stream]), whole);
});

Deno.test("sseParser waits for the blank line that ends an event", () => {
  assertEquals(parse(["event: approval\ndata: {}\n"]), []);
  assertEquals(parse(["event: approval\ndata: {}\n", "\n"]), [{ event: "approval", data: "{}" }]);
});
