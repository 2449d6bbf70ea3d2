import { equal, ok } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { decisionOf } from "../policy/_fake_policies.ts";
import type { WasmPolicy } from "../policy/wasm/wasm_host.ts";
import { kmPolicy } from "./_testing.ts";
import { runPolicy, summarise } from "./policy_command.ts";

// The commands on real policies need the OPA compiler: tests/policy_command_test.ts.

Deno.test("km policy build names a path that is not a directory", async () => {
  const { code, err } = await kmPolicy(["build", "/nonexistent/policy"]);
  equal(code, 2);
  ok(err.includes('Cannot build policy "/nonexistent/policy": not found'), err);
});

Deno.test("km policy rejects an unknown subcommand with a suggestion, and a missing --policy", async () => {
  const unknown = await kmPolicy(["buidl", "p"]);
  equal(unknown.code, 2);
  ok(unknown.err.includes('unknown policy command "buidl" (did you mean "build"?)'), unknown.err);
  const noPolicy = await kmPolicy(["eval", "--input", "x.json"]);
  equal(noPolicy.code, 2);
  ok(noPolicy.err.includes("km policy eval needs --policy PATH"), noPolicy.err);
});

Deno.test("summarise names unnamed reasons and counts transforms", () => {
  const base = { deny: [], ask: [], patch: [], redact: [], hide: [], risk: 0, labels: [] };
  equal(summarise({ ...base, action: "allow" }), "action: allow; rules fired: none");
  equal(
    summarise({
      ...base,
      action: "ask",
      ask: [{ rule: "shell", reason: "a" }, { rule: "", reason: "b" }],
      patch: [{}],
    }),
    "action: ask; rules fired: shell, 1 reason without a rule id; transforms: 1 patch",
  );
});

Deno.test("km policy eval warns on stderr of an input member km's document lacks and the policy does not read", async () => {
  const out = bufferWriter();
  const err = bufferWriter();
  const evaluated: unknown[] = [];
  const policy = {
    evaluate(input: unknown) {
      evaluated.push(input);
      return [{ result: decisionOf({}) }];
    },
  } as unknown as WasmPolicy;
  const input = '{"kind": "request", "tol": {"name": "rm"}, "custom": 1}';
  const code = await runPolicy(["eval", "--policy", "p"], {
    out,
    diagnostics: new Diagnostics(err),
    stdin: new Blob([input]).stream(),
    loadPolicy: () =>
      Promise.resolve({ policy, revision: "r", source: "p", inputUse: { members: ["custom"] } }),
  });
  equal(code, 0);
  equal(
    err.text(),
    'km: warning: input member "tol" is not part of km\'s input document (did you mean "tool"?)\n',
  );
  ok(out.text().includes("action: allow"), out.text());
  equal(evaluated.length, 1, "evaluated as given");
});
