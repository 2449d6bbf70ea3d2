import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { KmError } from "../../errors.ts";
import { isCaseFile, judgeCase, matchDecision, parseCases } from "./cases.ts";
import type { Decision } from "../decision.ts";
import { ALLOW_DECISION as ALLOW } from "../_testing.ts";

const DENY: Decision = {
  ...ALLOW,
  action: "deny",
  deny: [{ rule: "a", reason: "first" }, { rule: "b", reason: "second" }],
  risk: 80,
  labels: ["destructive", "pii"],
};

function rejectsWith(text: string, ...fragments: string[]) {
  throws(() => parseCases(text, "p/cases.json"), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_INVALID");
    for (const fragment of fragments) ok(e.message.includes(fragment), e.message);
    return true;
  });
}

Deno.test("isCaseFile names cases.json, cases.jsonc and *_cases.json(c) only", () => {
  for (const name of ["cases.json", "cases.jsonc", "shell_cases.json", "x_cases.jsonc"]) {
    ok(isCaseFile(name), name);
  }
  for (const name of ["data.json", "showcases.json", "cases.json.bak", "policy_test.rego"]) {
    ok(!isCaseFile(name), name);
  }
});

Deno.test("parseCases reads JSONC cases with any input value", () => {
  const cases = parseCases(
    `[
      // comments and trailing commas are allowed
      {"note": "denies rm", "input": {"tool": {"name": "rm"}}, "want": {"action": "deny"}},
      {"note": "no input", "input": null, "want": {}},
    ]`,
    "p/cases.json",
  );
  assertEquals(cases.map((c) => c.note), ["denies rm", "no input"]);
  assertEquals(cases[1].input, null);
});

Deno.test("parseCases names the file, line and column of a syntax error", () => {
  rejectsWith(
    '[{"note": "x",\n  "input": }]',
    'Cannot parse decision cases "p/cases.json"',
    "line 2",
  );
});

Deno.test("parseCases rejects a file that is not a list", () => {
  rejectsWith('{"note": "x"}', '"p/cases.json": expected a list', "got an object");
});

Deno.test("parseCases names the file, the index and the note of a bad entry", () => {
  const good = '{"note": "fine", "input": {}, "want": {}}';
  rejectsWith(
    `[${good}, {"note": "typo", "input": {}, "want": {"acton": "deny"}}]`,
    '"p/cases.json", entry [1] ("typo")',
    'unknown decision key "acton" (did you mean "action"?)',
  );
  rejectsWith(`[${good}, 3]`, "entry [1]: expected an object, got a number");
  rejectsWith('[{"note": "x", "want": {}}]', 'entry [0] ("x"): it has no "input"');
  rejectsWith('[{"input": {}, "want": {}}]', 'entry [0]: "note" must be a text');
  rejectsWith('[{"note": "x", "input": {}, "wnat": {}}]', 'unknown member "wnat"');
  rejectsWith('[{"note": "x", "input": {}, "want": []}]', '"want" must be an object, got a list');
});

Deno.test("parseCases checks the type of each wanted key", () => {
  const entry = (want: string) => `[{"note": "x", "input": {}, "want": ${want}}]`;
  rejectsWith(entry('{"action": "block"}'), "want.action must be one of allow, deny, ask");
  rejectsWith(entry('{"risk": "high"}'), "want.risk must be a number");
  rejectsWith(entry('{"deny": ["no"]}'), 'want.deny entries must be {"rule": id, "reason": text}');
  rejectsWith(entry('{"hide": [1]}'), "want.hide entries must be texts");
  rejectsWith(entry('{"patch": {}}'), "want.patch must be a list, got an object");
});

Deno.test("matchDecision checks only the keys want has", () => {
  assertEquals(matchDecision({}, DENY), []);
  assertEquals(matchDecision({ action: "deny", risk: 80 }, DENY), []);
  assertEquals(matchDecision({ action: "allow", labels: ["pii"] }, DENY), [
    { key: "action", want: "allow", got: "deny" },
    { key: "labels", want: ["pii"], got: ["destructive", "pii"] },
  ]);
});

Deno.test("matchDecision compares lists in any order and objects by value", () => {
  const want = {
    deny: [{ reason: "second", rule: "b" }, { rule: "a", reason: "first" }],
    labels: ["pii", "destructive"],
  };
  assertEquals(matchDecision(want, DENY), []);
  const patch = [{ op: "add", path: "/params/a", value: { x: [1, 2] } }];
  assertEquals(matchDecision({ patch }, { ...ALLOW, patch }), []);
  const reordered = [{ op: "add", path: "/params/a", value: { x: [2, 1] } }];
  equal(matchDecision({ patch: reordered }, { ...ALLOW, patch }).length, 1, "nested order counts");
});

Deno.test("matchDecision does not let a list match a subset or a duplicate", () => {
  equal(matchDecision({ labels: ["pii"] }, DENY).length, 1);
  equal(matchDecision({ labels: ["pii", "pii", "destructive"] }, DENY).length, 1);
  equal(matchDecision({ deny: [] }, DENY).length, 1);
});

Deno.test("judgeCase passes when every engine's decision matches", () => {
  assertEquals(
    judgeCase({ action: "deny" }, { WASM: { decision: DENY }, opa: { decision: DENY } }),
    {
      ok: true,
      details: [],
    },
  );
});

Deno.test("judgeCase explains a failure once when the engines agree", () => {
  const verdict = judgeCase({ action: "allow" }, {
    WASM: { decision: DENY },
    opa: { decision: DENY },
  });
  assertEquals(verdict, { ok: false, details: ['action: want "allow", got "deny"'] });
});

Deno.test("judgeCase names the engine when the engines disagree", () => {
  const verdict = judgeCase({ action: "deny" }, {
    WASM: { decision: DENY },
    opa: { error: "conflicting values" },
  });
  assertEquals(verdict, { ok: false, details: ["opa: evaluation failed: conflicting values"] });
  const both = judgeCase({ action: "deny" }, {
    WASM: { decision: ALLOW },
    opa: { error: "conflict" },
  });
  assertEquals(both.details, [
    'WASM: action: want "deny", got "allow"',
    "opa: evaluation failed: conflict",
  ]);
});

Deno.test("matchDecision compares approval_timeout, 0 when the decision has none", () => {
  const ASK: Decision = { ...ALLOW, action: "ask", approvalTimeoutS: 30 };
  assertEquals(matchDecision({ approval_timeout: 30 }, ASK), []);
  assertEquals(matchDecision({ approval_timeout: 60 }, ASK), [
    { key: "approval_timeout", want: 60, got: 30 },
  ]);
  assertEquals(matchDecision({ approval_timeout: 0 }, ALLOW), []);
  assertEquals(matchDecision({ approval_timeout: 30 }, ALLOW), [
    { key: "approval_timeout", want: 30, got: 0 },
  ]);
});

Deno.test("parseCases requires approval_timeout to be a number", () => {
  const entry = (want: string) => `[{"note": "x", "input": {}, "want": ${want}}]`;
  rejectsWith(entry('{"approval_timeout": "30s"}'), "want.approval_timeout must be a number");
  equal(parseCases(entry('{"approval_timeout": 30}'), "p/cases.json")[0].want.approval_timeout, 30);
});
