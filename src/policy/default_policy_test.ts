import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { buildDefaultPolicy } from "./build_default_policy.ts";
import { DEFAULT_POLICY_INPUT_USE, DEFAULT_POLICY_SHA256 } from "./default_policy_bundle.ts";
import { loadDefaultPolicy } from "./default_policy.ts";
import { readDecision } from "./decision.ts";
import { requireOpa } from "./_testing.ts";

Deno.test("the embedded default policy is the one its sources build (else rebuild it)", async () => {
  const { sha256, inputUse } = await buildDefaultPolicy(requireOpa());
  const stale =
    "policies/default or the framework changed: run deno run -A scripts/build_default_policy.ts";
  equal(sha256, DEFAULT_POLICY_SHA256, stale);
  assertEquals(inputUse, DEFAULT_POLICY_INPUT_USE, stale);
  // The default policy runs on every message: it reads no member that is new with each one.
  assertEquals(inputUse, { members: ["kind", "method", "tool"] });
});

Deno.test("the default policy allows everything and labels and scores what tools do", async () => {
  const { policy } = await loadDefaultPolicy();
  const decide = (tool: Record<string, unknown>) =>
    readDecision(policy.evaluate({ kind: "request", method: "tools/call", tool }));
  const shell = decide({ name: "run_command", arguments: { command: "kubectl delete pod web" } });
  equal(shell.action, "allow");
  assertEquals(shell.labels, ["infra", "shell"]);
  equal(shell.risk, 8);
  assertEquals(decide({ name: "write_file", arguments: { path: "/tmp/x" } }).labels, [
    "file-write",
  ]);
  assertEquals(decide({ name: "fetch", arguments: { url: "https://example.com" } }).labels, [
    "network",
  ]);
  assertEquals(
    decide({
      name: "move_item",
      arguments: {},
      definition: { annotations: { destructiveHint: true } },
    }).labels,
    ["destructive", "file-write"],
  );
  const read = decide({ name: "read_text_file", arguments: { path: "/tmp/x" } });
  assertEquals([read.action, read.labels, read.risk], ["allow", [], 0]);
  equal(
    readDecision(policy.evaluate({ kind: "notification", method: "notifications/progress" }))
      .action,
    "allow",
  );
});
