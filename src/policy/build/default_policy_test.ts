import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { loadDefaultPolicy } from "./default_policy.ts";
import { readDecision } from "../decision.ts";

// That the embedded bundle is the one its sources build needs the OPA compiler:
// tests/policy_default_policy_test.ts.

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
