import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { decisionOf } from "./decision_panel.tsx";

Deno.test("decisionOf() reads result, revision and metrics from an audit record", () => {
  assertEquals(
    decisionOf({
      seq: 61,
      decision_id: "s1/61",
      result: {
        action: "deny",
        applied: "block",
        reasons: ["tool get-env is blocked by policy"],
        rules: ["blocked-tool"],
        labels: ["blocked-tool"],
        risk: 8,
      },
      revision: "261f8d2ff8b5b5ce",
      metrics: { eval_us: 232 },
    }),
    {
      action: "deny",
      applied: "block",
      reasons: ["tool get-env is blocked by policy"],
      rules: ["blocked-tool"],
      risk: 8,
      labels: ["blocked-tool"],
      error: undefined,
      revision: "261f8d2ff8b5b5ce",
      evalUs: 232,
      cached: undefined,
      decisionId: "s1/61",
    },
  );
  equal(
    decisionOf({ result: { action: "allow" }, metrics: { eval_us: 2, cached: true } })?.cached,
    true,
  );
});

Deno.test("decisionOf() is undefined without a policy and tolerates odd fields", () => {
  equal(decisionOf({ seq: 1 }), undefined);
  equal(decisionOf(undefined), undefined);
  const odd = decisionOf({ result: { action: "error", error: { code: "x" }, reasons: [1, "r"] } });
  equal(odd?.error, '{"code":"x"}');
  assertEquals(odd?.reasons, ["r"]);
});
