import { equal } from "node:assert/strict";
import { closingQuote, nestedDeeperThan } from "./json_depth.ts";

const nested = (depth: number, inner = "1") => "[".repeat(depth) + inner + "]".repeat(depth);

Deno.test("nestedDeeperThan counts objects and arrays, not brackets inside strings", () => {
  equal(nestedDeeperThan(nested(3), 3), false);
  equal(nestedDeeperThan(nested(4), 3), true);
  equal(nestedDeeperThan(`{"a":{"b":[${'"[[[[[[[[[[[[[[[[["'.repeat(4)}]}}`, 3), false);
  equal(
    nestedDeeperThan(`["\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\\"]`, 3),
    false,
  );
  equal(nestedDeeperThan(`[{"a":[1]},{"b":[[1]]}]`, 4), false);
  equal(nestedDeeperThan(`[{"a":[1]},{"b":[[1]]}]`, 3), true);
});

Deno.test("nestedDeeperThan reads a million nested arrays without recursion", () => {
  equal(nestedDeeperThan(nested(1_000_000), 512), true);
  equal(nestedDeeperThan(nested(1_000_000), 1_000_000), false);
});

Deno.test("closingQuote skips escaped quotes and says when a string is not closed", () => {
  equal(closingQuote('"a\\"b" x', 0), 5);
  equal(closingQuote('"a\\\\" x', 0), 4);
  equal(closingQuote('"never closed', 0), 13);
});
