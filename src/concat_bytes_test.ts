import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { concatBytes } from "./concat_bytes.ts";

Deno.test("concatBytes puts the parts one after another, empty parts included", () => {
  const parts = [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)];
  assertEquals(concatBytes(parts), Uint8Array.of(1, 2, 3));
  assertEquals(concatBytes([]), new Uint8Array(0));
});
