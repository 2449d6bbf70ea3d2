import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { moduleShape, requireKmRules, RULE_SETS } from "./author_modules.ts";

Deno.test("moduleShape reads the package and the top-level rules, not bodies, strings or comments", () => {
  const shape = moduleShape(
    "p.rego",
    `# package fake
package kilometers

import rego.v1

default risk := 0

deny contains {"rule": "r", "reason": "no\\"pe
ask"} if {
	ask := 1 # hide
	x := \`raw
labels\`
}

helper(x) := x
patch contains p if { p := 1 } else := 2
`,
  );
  equal(shape.package, "kilometers");
  assertEquals(shape.rules, ["risk", "deny", "helper", "patch"]);
});

Deno.test("requireKmRules accepts a policy with any one of km's rule sets in package kilometers", () => {
  requireKmRules("p", [{ file: "a.rego", text: 'package kilometers\nlabels contains "x"\n' }]);
  requireKmRules("p", [
    { file: "a.rego", text: "package mypolicy\nbad := true\n" },
    { file: "b.rego", text: "package kilometers\nimport rego.v1\ndeny[msg] { msg := 1 }\n" },
  ]);
});

Deno.test("requireKmRules refuses rules in another package, naming the packages found", () => {
  throws(
    () =>
      requireKmRules("/pol", [
        { file: "policy.rego", text: 'package mypolicy\ndeny contains "x" if true\n' },
        { file: "more/x.rego", text: "package mypolicy\nask contains 1\n" },
        { file: "util.rego", text: "package kilometers.util\nf := 1\n" },
      ]),
    (e: Error & { code: string; exitCode: number }) => {
      equal(e.code, "POLICY_INVALID");
      equal(e.exitCode, 2);
      ok(e.message.includes('Policy "/pol" has no rules km evaluates'), e.message);
      ok(e.message.includes("in package kilometers"), e.message);
      ok(
        e.message.includes(
          "package mypolicy (policy.rego, more/x.rego); package kilometers.util (util.rego)",
        ),
        e.message,
      );
      return true;
    },
  );
});

Deno.test("requireKmRules refuses package kilometers with none of the rule sets (helpers only)", () => {
  throws(
    () => requireKmRules("/pol", [{ file: "p.rego", text: "package kilometers\nallow := true\n" }]),
    /none is defined there; its modules are in package kilometers \(p\.rego\)/,
  );
});

Deno.test("the rule sets are the ones the framework declares", () => {
  for (const set of ["deny", "ask", "patch", "redact", "hide", "risk", "labels"]) {
    ok(RULE_SETS.includes(set), set);
  }
  ok(RULE_SETS.includes("approval_timeout"));
});
