import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { findOversizedId } from "./oversized.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("findOversizedId reads a trailing id as the MCP SDK serialises it", () => {
  const id = findOversizedId(
    enc('{"method":"tools/call","params":{"name":"echo","arguments":{"m":"aaa'),
    enc('aaa"}},"jsonrpc":"2.0","id":12}'),
  );
  assertEquals(id, { raw: "12", key: "12" });
});

Deno.test("findOversizedId reads a leading id and string ids", () => {
  assertEquals(
    findOversizedId(enc('{"jsonrpc":"2.0","id":"req-\\"1","result":{"x":"'), enc('"}}'))?.raw,
    '"req-\\"1"',
  );
  assertEquals(findOversizedId(enc('{"id":0,"jsonrpc":"2.0","result":'), enc("1}"))?.key, "0");
});

Deno.test("findOversizedId ignores an id nested at the end of params", () => {
  assertEquals(
    findOversizedId(enc('{"jsonrpc":"2.0","method":"x","params":{"a":"'), enc('","id":5}}')),
    undefined,
  );
});

Deno.test("findOversizedId finds nothing in a notification", () => {
  assertEquals(
    findOversizedId(
      enc('{"jsonrpc":"2.0","method":"notifications/message","params":{"'),
      enc('"}}'),
    ),
    undefined,
  );
});
