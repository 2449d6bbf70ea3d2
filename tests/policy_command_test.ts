import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { kmPolicy } from "../src/cli/_testing.ts";
import { ALLOW_DECISION, requireOpa, withFiles } from "../src/policy/_testing.ts";
import { loadPolicy } from "../src/policy/build/load_policy.ts";

requireOpa();

const POLICY = `package kilometers

deny contains {"rule": "blocked-tool", "reason": $"tool {input.tool.name} is blocked"} if {
	input.method == "tools/call"
	input.tool.name in data.blocked_tools
}

hide contains name if {
	input.method == "tools/list"
	some name in data.blocked_tools
}
`;
const DATA = '// JSONC, as km monitor reads it\n{"blocked_tools": ["delete_file", "move_file"],}';
const CALL = (name: string) => ({ method: "tools/call", tool: { name } });
const TESTS = `package kilometers

test_denies_delete if decision.action == "deny" with input as ${JSON.stringify(CALL("delete_file"))}
`;
const CASES = JSON.stringify([
  {
    note: "a blocked tool is denied",
    input: CALL("delete_file"),
    want: {
      action: "deny",
      deny: [{ rule: "blocked-tool", reason: "tool delete_file is blocked" }],
    },
  },
  {
    note: "the listing hides blocked tools",
    input: { method: "tools/list" },
    want: { action: "transform", hide: ["move_file", "delete_file"] },
  },
]);
const GOOD = {
  "policy.rego": POLICY,
  "data.jsonc": DATA,
  "policy_test.rego": TESTS,
  "cases.json": CASES,
};

Deno.test("km policy build writes a bundle km monitor loads, with both revisions", async () => {
  await withFiles(GOOD, async (dir) => {
    const { code, out } = await kmPolicy(["build", dir, "-o", `${dir}/out.tar.gz`]);
    equal(code, 0);
    const bundle = await loadPolicy(`${dir}/out.tar.gz`);
    const source = await loadPolicy(dir);
    equal(
      out,
      `wrote ${dir}/out.tar.gz, revision ${bundle.revision}\nsource ${dir}, revision ${source.revision}\n`,
    );
    const [{ result }] = bundle.policy.evaluate(CALL("move_file"));
    equal((result as { action: string }).action, "deny");
  });
});

Deno.test("km policy build fails with OPA's message for a built-in km lacks", async () => {
  const rego = `package kilometers

deny contains "x" if http.send({"method": "get", "url": "https://example.com"}).status_code == 200
`;
  await withFiles({ "policy.rego": rego }, async (dir) => {
    const { code, err } = await kmPolicy(["build", dir, "-o", `${dir}/out.tar.gz`]);
    equal(code, 2);
    ok(err.includes(`Cannot compile policy "${dir}"`), err);
    ok(err.includes(`${dir}/policy.rego:3: rego_type_error: undefined function http.send`), err);
    ok(err.includes("policies/capabilities.json") && !err.includes("km-build-"), err);
    equal(await Deno.stat(`${dir}/out.tar.gz`).catch(() => "absent"), "absent");
  });
});

Deno.test("km policy test passes when opa tests and every case pass on both engines", async () => {
  await withFiles(GOOD, async (dir) => {
    const { code, out } = await kmPolicy(["test", dir]);
    equal(code, 0, out);
    ok(out.includes(`opa test ${dir}\n`), out);
    ok(out.includes("data.kilometers.test_denies_delete: PASS"), out);
    ok(
      out.includes(
        `cases ${dir}/cases.json\nok   a blocked tool is denied\nok   the listing hides blocked tools\n`,
      ),
      out,
    );
    ok(
      out.endsWith(
        "\nPASS: opa test 1 passed, 0 failed; cases 2 passed, 0 failed (WASM and opa)\n",
      ),
    );
  });
});

Deno.test("km policy test fails and shows OPA's output when an opa test fails", async () => {
  const failing = `${TESTS}\ntest_wrong if decision.action == "allow" with input as ${
    JSON.stringify(CALL("move_file"))
  }\n`;
  await withFiles({ ...GOOD, "policy_test.rego": failing }, async (dir) => {
    const { code, out } = await kmPolicy(["test", dir]);
    equal(code, 1);
    ok(out.includes("data.kilometers.test_wrong: FAIL"), out);
    ok(out.includes("FAIL: opa test 1 passed, 1 failed; cases 2 passed, 0 failed"), out);
  });
});

Deno.test("km policy test shows the key, want and got of a failing case", async () => {
  const cases = JSON.stringify([
    { note: "read_file is denied (wrongly)", input: CALL("read_file"), want: { action: "deny" } },
  ]);
  await withFiles({ ...GOOD, "cases.json": cases }, async (dir) => {
    const { code, out } = await kmPolicy(["test", dir]);
    equal(code, 1);
    ok(
      out.includes('FAIL read_file is denied (wrongly)\n     action: want "deny", got "allow"\n'),
      out,
    );
    ok(
      out.endsWith("FAIL: opa test 1 passed, 0 failed; cases 0 passed, 1 failed (WASM and opa)\n"),
    );
  });
});

Deno.test("km policy test stops at a malformed case file, naming it and the entry", async () => {
  const cases = '[{"note": "typo", "input": {}, "want": {"acton": "deny"}}]';
  await withFiles({ ...GOOD, "more_cases.jsonc": cases }, async (dir) => {
    const { code, out, err } = await kmPolicy(["test", dir]);
    equal(code, 2);
    equal(out, "");
    ok(err.includes(`Decision cases "${dir}/more_cases.jsonc", entry [0] ("typo")`), err);
    ok(err.includes('(did you mean "action"?)'), err);
  });
});

Deno.test("km policy test fails on a policy that does not build, even when opa test passes", async () => {
  const rego =
    `${POLICY}\nlabels contains "net" if http.send({"method": "get", "url": "x"}).status_code == 1\n`;
  await withFiles({ ...GOOD, "policy.rego": rego }, async (dir) => {
    const { code, out, err } = await kmPolicy(["test", dir]);
    equal(code, 2);
    ok(out.includes("data.kilometers.test_denies_delete: PASS"), out);
    ok(err.includes("undefined function http.send"), err);
  });
});

Deno.test("km policy test with neither tests nor cases fails", async () => {
  await withFiles({ "policy.rego": POLICY }, async (dir) => {
    const { code, err } = await kmPolicy(["test", dir]);
    equal(code, 1);
    ok(err.includes(`Nothing to test in "${dir}"`), err);
  });
});

Deno.test("km policy eval prints the decision and the rules that fired, from a file", async () => {
  await withFiles({ ...GOOD, "input.json": JSON.stringify(CALL("delete_file")) }, async (dir) => {
    const { code, out } = await kmPolicy(["eval", "--policy", dir, "--input", `${dir}/input.json`]);
    equal(code, 0);
    const [json, line] = out.split(/\n(?=action:)/);
    assertEquals(JSON.parse(json), {
      ...ALLOW_DECISION,
      action: "deny",
      deny: [{ rule: "blocked-tool", reason: "tool delete_file is blocked" }],
    });
    equal(line, "action: deny; rules fired: blocked-tool\n");
  });
});

Deno.test("km policy eval reads stdin by default and evaluates a bundle", async () => {
  await withFiles(GOOD, async (dir) => {
    equal((await kmPolicy(["build", dir, "-o", `${dir}/b.tar.gz`])).code, 0);
    const { code, out } = await kmPolicy(
      ["eval", "--policy", `${dir}/b.tar.gz`],
      '{"method": "tools/list"}',
    );
    equal(code, 0);
    ok(out.endsWith("action: transform; rules fired: none; transforms: 2 hide\n"), out);
  });
});

Deno.test("km policy eval names the input file and the JSON error", async () => {
  await withFiles({ ...GOOD, "input.json": '{\n  "method" "tools/call"\n}' }, async (dir) => {
    const { code, err } = await kmPolicy(["eval", "--policy", dir, "--input", `${dir}/input.json`]);
    equal(code, 2);
    ok(
      err.includes(`Cannot parse input "${dir}/input.json" at line 2, column 12: Expected ':'`),
      err,
    );
  });
  const missing = await kmPolicy(["eval", "--policy", "p", "--input", "/nonexistent/input.json"]);
  equal(missing.code, 2);
  ok(missing.err.includes('Cannot read input "/nonexistent/input.json": not found'), missing.err);
});
