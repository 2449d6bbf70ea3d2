import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { trimOldest } from "./trim_oldest.ts";

Deno.test("trimOldest drops the first-inserted entries down to the limit", () => {
  const map = new Map([["a", 1], ["b", 2], ["c", 3], ["d", 4]]);
  equal(trimOldest(map, 2), 2);
  assertEquals([...map.keys()], ["c", "d"]);
  equal(trimOldest(map, 5), 0);
  assertEquals([...map.keys()], ["c", "d"]);
});
