import { throws } from "node:assert/strict";
import { inputUseOf } from "./input_use.ts";

// What the real planner says policies read: tests/policy_input_use_test.ts.

Deno.test("inputUseOf() rejects what is not a plan", () => {
  throws(() => inputUseOf({}), /not an OPA IR plan/);
  throws(() => inputUseOf(null), /not an OPA IR plan/);
});
