import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { buildDefaultPolicy } from "../src/policy/build/build_default_policy.ts";
import {
  DEFAULT_POLICY_INPUT_USE,
  DEFAULT_POLICY_SHA256,
} from "../src/policy/build/default_policy_bundle.ts";
import { requireOpa } from "../src/policy/_testing.ts";

Deno.test("the embedded default policy is the one its sources build (else rebuild it)", async () => {
  const { sha256, inputUse } = await buildDefaultPolicy(requireOpa());
  const stale =
    "policies/default or the framework changed: run deno run -A scripts/build_default_policy.ts";
  equal(sha256, DEFAULT_POLICY_SHA256, stale);
  assertEquals(inputUse, DEFAULT_POLICY_INPUT_USE, stale);
  // The default policy runs on every message: it reads no member that is new with each one
  // (`pins` is built for list responses only, to mark a definition changed since its pin).
  assertEquals(inputUse, { members: ["kind", "method", "pins", "tool"] });
});
