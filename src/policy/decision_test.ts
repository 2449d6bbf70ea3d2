import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { ALLOW_DECISION as base } from "./_testing.ts";
import { firedRules, MalformedDecision, readDecision, reasonTexts } from "./decision.ts";

Deno.test("readDecision accepts the framework's decision document", () => {
  const decision = readDecision([{
    result: {
      ...base,
      action: "deny",
      deny: [{ rule: "r1", reason: "no" }, { rule: "", reason: "plain" }],
    },
  }]);
  equal(decision.action, "deny");
  assertEquals(reasonTexts(decision), ["no", "plain"]);
  assertEquals(firedRules(decision), ["r1"]);
});

Deno.test("readDecision treats an undefined, plural or malformed result as malformed", () => {
  const cases: [unknown[], string][] = [
    [[], "undefined"],
    [[{ result: base }, { result: base }], "2 decisions"],
    [[{ result: "allow" }], "not an object"],
    [[{ result: { ...base, action: "maybe" } }], 'unknown action "maybe"'],
    [[{ result: { ...base, deny: "x" } }], "deny must be a list"],
    [[{ result: { ...base, deny: [7] } }], "deny entries"],
    [[{ result: { ...base, redact: [{ pattern: "x" }] } }], "redact entries"],
    [[{ result: { ...base, hide: [1] } }], "hide entries"],
    [[{ result: { ...base, risk: "high" } }], "risk must be a number"],
  ];
  for (const [resultSet, message] of cases) {
    throws(
      () => readDecision(resultSet as { result: unknown }[]),
      (e: Error) => e instanceof MalformedDecision && e.message.includes(message),
      message,
    );
  }
});
