import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { requireOpa, withFiles } from "../src/policy/_testing.ts";
import {
  interpreterDecisions,
  type InterpreterResult,
  runOpaTest,
} from "../src/policy/build/opa_test_runner.ts";

const POLICY = `package kilometers

deny contains {"rule": "blocked", "reason": "blocked"} if input.tool.name in data.blocked
`;

/** The decision's action, or the error. */
function action(result: InterpreterResult): string | undefined {
  if ("error" in result) return result.error;
  return (result.resultSet[0]?.result as { action?: string } | undefined)?.action;
}

Deno.test("runOpaTest runs nothing when the directory has no _test.rego file", async () => {
  await withFiles({ "policy.rego": POLICY }, async (dir) => {
    equal(await runOpaTest(dir, requireOpa()), undefined);
  });
});

Deno.test("runOpaTest runs the tests with km's framework, JSONC data, and no case files", async () => {
  const files = {
    "policy.rego": POLICY,
    "data.jsonc": '// blocked tools\n{"blocked": ["rm"],}',
    // Not data: were it loaded, OPA would refuse a list at the root of data.
    "cases.json": "[]",
    "policy_test.rego": `package kilometers
test_denies_rm if decision.action == "deny" with input as {"tool": {"name": "rm"}}
test_allows_ls if decision.action == "allow" with input as {"tool": {"name": "ls"}}
`,
  };
  await withFiles(files, async (dir) => {
    const run = await runOpaTest(dir, requireOpa());
    ok(run, "ran");
    assertEquals([run.ok, run.passed, run.failed], [true, 2, 0], run.output);
    ok(run.output.includes("data.kilometers.test_denies_rm: PASS"), run.output);
  });
});

Deno.test("runOpaTest reports a failing test, naming the author's files", async () => {
  const files = {
    "policy.rego": POLICY,
    "data.json": '{"blocked": ["rm"]}',
    "policy_test.rego": `package kilometers
test_wrong if decision.action == "allow" with input as {"tool": {"name": "rm"}}
`,
  };
  await withFiles(files, async (dir) => {
    const run = await runOpaTest(dir, requireOpa());
    ok(run);
    assertEquals([run.ok, run.passed, run.failed], [false, 0, 1]);
    ok(run.output.includes(`${dir}/policy_test.rego:2:`), run.output);
    ok(!run.output.includes("km-test-"), run.output);
  });
});

// km.fs.realpath reads the machine's files only when km runs the compiled policy: in OPA's
// interpreter a test mocks it, and an unmocked call says so (km's OPA) or is unsupported (opa).
const REALPATH_POLICY = `package kilometers

deny contains {"rule": "out", "reason": real} if {
	real := km.fs.realpath(input.path)
	not startswith(real, "/ws/")
}
`;

for (const [compiler, opaPath] of [["km's OPA", undefined], ["opa", "opa"]] as const) {
  Deno.test(`runOpaTest (${compiler}): a test mocks km.fs.realpath; unmocked it errors`, async () => {
    const files = {
      "policy.rego": REALPATH_POLICY,
      "policy_test.rego": `package kilometers
fake(p) := "/etc/x" if p == "/ws/link/x"
else := p
test_link_out if decision.action == "deny" with input as {"path": "/ws/link/x"} with km.fs.realpath as fake
test_inside if decision.action == "allow" with input as {"path": "/ws/a"} with km.fs.realpath as fake
test_unmocked if decision.action == "allow" with input as {"path": "/ws/a"}
`,
    };
    await withFiles(files, async (dir) => {
      const run = await runOpaTest(dir, opaPath && requireOpa());
      ok(run);
      assertEquals([run.ok, run.passed, run.failed], [false, 2, 1], run.output);
      ok(run.output.includes("test_unmocked: ERROR"), run.output);
      const why = opaPath ? "unsupported built-in: km.fs.realpath" : "in a test, mock it";
      ok(run.output.includes(why), run.output);
    });
  });
}

Deno.test("interpreterDecisions gives each input its decision, in order", async () => {
  const files = { "policy.rego": POLICY, "data.json": '{"blocked": ["rm"]}' };
  await withFiles(files, async (dir) => {
    const inputs = [{ tool: { name: "rm" } }, { tool: { name: "ls" } }];
    const results = await interpreterDecisions(dir, inputs, requireOpa());
    assertEquals(results.map(action), ["deny", "allow"]);
  });
});

Deno.test("interpreterDecisions gives an input that fails its own error, the others theirs", async () => {
  const files = {
    "policy.rego": `package kilometers
level := 1 if input.conflict
level := 2 if input.conflict
risk contains level if input.conflict
deny contains "no" if input.deny
`,
  };
  await withFiles(files, async (dir) => {
    const results = await interpreterDecisions(
      dir,
      [{ deny: true }, { conflict: true }],
      requireOpa(),
    );
    equal(action(results[0]), "deny");
    ok("error" in results[1]);
    ok(results[1].error.includes("conflicting values"), results[1].error);
    ok(results[1].error.includes(`${dir}/policy.rego:2`), results[1].error);
  });
});
