import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { parseText } from "../jsonrpc/message.ts";
import { refusal, requestsOf } from "./unrecorded.ts";

const dec = new TextDecoder();

Deno.test("refusal answers each request of a batch with -32011, and none of its notifications", () => {
  const batch = parseText(
    '[{"jsonrpc":"2.0","id":1,"method":"a"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":"x","method":"b"}]',
  );
  equal(requestsOf(batch).length, 2);
  const { bytes, summary } = refusal(batch, "No space left on device (os error 28)");
  const answers = JSON.parse(dec.decode(bytes));
  assertEquals(answers.map((a: { id: unknown; error: { code: number } }) => [a.id, a.error.code]), [
    [1, -32011],
    ["x", -32011],
  ]);
  assertEquals([summary.action, summary.applied], ["error", "block"]);
  equal(summary.reasons[0].includes("No space left on device"), true);
});

Deno.test("refusal of one request is one answer, not a batch", () => {
  const { bytes } = refusal(parseText('{"jsonrpc":"2.0","id":7,"method":"tools/call"}'), undefined);
  const text = dec.decode(bytes);
  equal(text.endsWith("\n"), true);
  equal(JSON.parse(text).id, 7);
  assertEquals(requestsOf(parseText('{"jsonrpc":"2.0","method":"n"}')), []);
});
