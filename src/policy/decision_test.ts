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

Deno.test("readDecision reads approval_timeout, leaving it out when absent or 0", () => {
  const read = (approval_timeout: unknown) =>
    readDecision([{ result: { ...base, action: "ask", approval_timeout } }]);
  equal("approvalTimeoutS" in read(undefined), false);
  equal("approvalTimeoutS" in read(0), false);
  equal(read(30).approvalTimeoutS, 30);
  equal(read(0.5).approvalTimeoutS, 0.5);
});

Deno.test("readDecision rejects an approval_timeout that is not a positive number", () => {
  for (const value of [-1, "30", null, Number.NaN, [30]]) {
    throws(
      () => readDecision([{ result: { ...base, approval_timeout: value } }]),
      (e: Error) =>
        e instanceof MalformedDecision &&
        e.message === "approval_timeout must be a positive number of seconds",
      String(value),
    );
  }
});
