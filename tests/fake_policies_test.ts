/**
 * The stand-ins the enforcer's unit tests run instead of compiled Rego
 * (src/policy/_fake_policies.ts) agree with the real compiler: the same input use, the same
 * built-ins, the same decisions on sample inputs (or both fail to evaluate).
 */
import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import {
  askRmWithTimeout,
  fakeLoaded,
  type FakePolicy,
  POLICIES,
  regoOf,
} from "../src/policy/_fake_policies.ts";
import { loadPolicy } from "../src/policy/build/load_policy.ts";
import { requireOpa, withFiles } from "../src/policy/_testing.ts";

const call = (name: string, args: Record<string, unknown>) => ({
  kind: "request",
  direction: "client_to_server",
  method: "tools/call",
  tool: { name, arguments: args },
  message: { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } },
  stats: { calls: 0 },
});

const INPUTS: unknown[] = [
  call("rm", { path: "/" }),
  call("rm", { path: "/tmp" }),
  { ...call("shell", { command: "a; rm -rf /" }), integrity: ["bare_cr"] },
  { ...call("other", {}), integrity: ["case_variant_members"] },
  { kind: "response", direction: "server_to_client", message: { id: "a", result: {} } },
  { kind: "notification", method: "notifications/progress" },
  {},
];

const outcome = (evaluate: () => string) => {
  try {
    return JSON.parse(evaluate());
  } catch {
    return "evaluation failed";
  }
};

const all: [string, FakePolicy][] = [
  ...Object.entries(POLICIES),
  ["askRmWithTimeout(30)", askRmWithTimeout(30)],
];

for (const [name, policy] of all) {
  Deno.test(`the enforcer tests' stand-in policy ${name} matches its Rego compiled`, async () => {
    const real = await withFiles(
      { "p.rego": regoOf(policy) },
      (dir) => loadPolicy(dir, { opa: requireOpa() }),
    );
    const fake = fakeLoaded(policy);
    assertEquals(fake.inputUse, real.inputUse, "input use");
    assertEquals(fake.policy.builtinNames, real.policy.builtinNames.sort(), "built-ins");
    for (const input of INPUTS) {
      const json = JSON.stringify(input);
      assertEquals(
        outcome(() => fake.policy.evaluateJson(json)),
        outcome(() => real.policy.evaluateJson(json)),
        json,
      );
    }
    equal(fake.source, "fake");
  });
}
