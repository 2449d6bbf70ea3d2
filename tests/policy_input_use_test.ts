import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { planPolicy } from "../src/policy/build/compile.ts";
import { FRAMEWORK_FILE, FRAMEWORK_REGO } from "../src/policy/build/framework.ts";
import { inputUseOf } from "../src/policy/build/input_use.ts";
import { requireOpa, withFiles } from "../src/policy/_testing.ts";

/** What the real planner says a policy (with km's framework) reads. */
function useOf(rego: string) {
  return withFiles(
    { "policy.rego": rego, [FRAMEWORK_FILE]: FRAMEWORK_REGO },
    async (dir) => inputUseOf(await planPolicy([dir], { opa: requireOpa() })),
  );
}

const HEADER = "package kilometers\nimport rego.v1\n";

Deno.test("inputUseOf() lists the members read directly, through rules and functions", async () => {
  const use = await useOf(`${HEADER}
_call if input.method == "tools/call"
_named(n) if input.tool.name == n
deny contains "no" if { _call; _named("rm") }
labels contains input.direction if input.kind == "request"
risk contains 3 if count(input.tool.arguments) > 0
`);
  assertEquals(use, { members: ["direction", "kind", "method", "tool"] });
});

Deno.test("inputUseOf() reads a policy that uses no input as reading nothing", async () => {
  assertEquals(await useOf(`${HEADER}\nlabels contains "always"`), { members: [] });
});

Deno.test("inputUseOf() gives up on members when the input is used as a whole", async () => {
  const whole = [
    `labels contains json.marshal(input)`,
    `labels contains k if { some k, _ in input }`,
    `deny contains "x" if { k := "tool"; input[k].name == "rm" }`,
    `_f(x) := x.kind\nlabels contains _f(input)`,
    `_d := input\nlabels contains _d.kind`,
    `labels contains object.get(input, "kind", "")`,
    `deny contains "x" if { _m with input.method as "tools/call" }\n_m if input.method == "x"`,
  ];
  for (const body of whole) {
    const use = await useOf(`${HEADER}\n${body}\n`);
    equal(use.members, undefined, body);
  }
});
