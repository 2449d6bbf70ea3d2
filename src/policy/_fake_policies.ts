/**
 * Test helpers: the policies the enforcer's tests run, each as its Rego and as a stand-in in
 * TypeScript that gives the decision km's framework (framework.ts) would give, so that those
 * tests need no OPA compiler. Each stand-in states what the planner finds the Rego reads
 * (input_use.ts) and the built-ins it calls; tests/fake_policies_test.ts compiles every Rego
 * with the real opa and checks that both, and the decisions on sample inputs, agree. Not part
 * of km.
 */
import { KmError } from "../errors.ts";
import type { LoadedPolicy } from "./build/load_policy.ts";
import type { WasmPolicy } from "./wasm/wasm_host.ts";

// deno-lint-ignore no-explicit-any
type Input = any;

/** What the rules of a policy add to each of the framework's sets. */
export interface Contributions {
  readonly deny?: readonly unknown[];
  readonly ask?: readonly unknown[];
  readonly patch?: readonly unknown[];
  readonly redact?: readonly unknown[];
  readonly hide?: readonly string[];
  readonly risk?: readonly number[];
  readonly labels?: readonly string[];
  readonly approval_timeout?: readonly number[];
  readonly tolerate?: readonly string[];
}

/** A policy: its rules in Rego (after `package kilometers`, `import rego.v1`) and in TypeScript. */
export interface FakePolicy {
  readonly rego: string;
  /** The top-level members of the input the Rego reads; undefined: it may read all of it. */
  readonly members: readonly string[] | undefined;
  /** The built-ins the compiled Rego imports. */
  readonly builtins?: readonly string[];
  /** The rules' contributions for an input; throws where evaluating the Rego fails. */
  readonly rules: (input: Input) => Contributions;
}

const when = <T>(condition: boolean, ...values: T[]): T[] => condition ? values : [];

/** The whole Rego module of a policy. */
export function regoOf(policy: FakePolicy): string {
  return `package kilometers\nimport rego.v1\n${policy.rego}\n`;
}

/** The `kilometers/decision` document framework.ts makes of `contributions`. */
export function decisionOf(c: Contributions): Record<string, unknown> {
  const set = <T>(values: readonly T[] = []): T[] => {
    const byKey = new Map(values.map((v) => [JSON.stringify(v), v]));
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  };
  const reason = (e: unknown) =>
    typeof e === "string" ? { rule: "", reason: e } : e as { rule: string; reason: string };
  const deny = set(c.deny), ask = set(c.ask);
  const patch = set(c.patch), redact = set(c.redact), hide = set(c.hide);
  const action = deny.length > 0
    ? "deny"
    : ask.length > 0
    ? "ask"
    : patch.length + redact.length + hide.length > 0
    ? "transform"
    : "allow";
  const risk = set(c.risk), timeouts = set(c.approval_timeout);
  return {
    action,
    deny: set(deny.map(reason)),
    ask: set(ask.map(reason)),
    patch,
    redact,
    hide,
    risk: risk.length > 0 ? Math.max(...risk) : 0,
    labels: set(c.labels),
    approval_timeout: timeouts.length > 0 ? Math.min(...timeouts) : 0,
    tolerate: set(c.tolerate),
    ask_again: false,
  };
}

/** `policy` loaded as the enforcer sees a policy: evaluateJson, builtinNames, input use. */
export function fakeLoaded(policy: FakePolicy, revision = "fake"): LoadedPolicy {
  const wasm = {
    builtinNames: [...policy.builtins ?? []],
    evaluateJson(inputJson: string | undefined): string {
      try {
        const input = inputJson === undefined ? undefined : JSON.parse(inputJson);
        return JSON.stringify([{ result: decisionOf(policy.rules(input)) }]);
      } catch (error) {
        throw new KmError(
          "POLICY_EVAL_FAILED",
          `Evaluation of policy "fake" failed: ${(error as Error).message}`,
        );
      }
    },
  } as unknown as WasmPolicy;
  return {
    policy: wasm,
    revision,
    source: "fake",
    inputUse: policy.members === undefined ? {} : { members: [...policy.members].sort() },
  };
}

const isRm = (i: Input) => i?.tool?.name === "rm";
const isResponse = (i: Input) => i?.kind === "response";

/** The policies of src/policy/enforcer_test.ts. */
export const POLICIES = {
  denyOther: {
    rego: 'deny contains "x" if input.tool.name == "other"',
    members: ["tool"],
    rules: (i) => ({ deny: when(i?.tool?.name === "other", "x") }),
  },
  denyRmWithRule: {
    rego:
      'deny contains {"rule": "no-rm", "reason": "rm is off limits"} if input.tool.name == "rm"',
    members: ["tool"],
    rules: (i) => ({ deny: when(isRm(i), { rule: "no-rm", reason: "rm is off limits" }) }),
  },
  denyResponses: {
    rego: 'deny contains "no results today" if input.kind == "response"',
    members: ["kind"],
    rules: (i) => ({ deny: when(isResponse(i), "no results today") }),
  },
  patchDryRun: {
    rego:
      'patch contains {"op": "add", "path": "/params/arguments/dry_run", "value": true} if input.tool.name == "rm"',
    members: ["tool"],
    rules: (i) => ({
      patch: when(isRm(i), { op: "add", path: "/params/arguments/dry_run", value: true }),
    }),
  },
  denyRm: {
    rego: 'deny contains "x" if input.tool.name == "rm"',
    members: ["tool"],
    rules: (i) => ({ deny: when(isRm(i), "x") }),
  },
  conflict: {
    rego: 'level := 1 if true\nlevel := 2 if true\ndeny contains "x" if level == 3',
    members: [],
    rules: () => {
      throw new Error(
        "OPA aborted: eval_conflict_error: complete rules must not produce multiple outputs",
      );
    },
  },
  redactTokens: {
    rego:
      'redact contains {"path": "/result/content", "pattern": "token-[0-9]+"} if input.kind == "response"',
    members: ["kind"],
    rules: (i) => ({
      redact: when(isResponse(i), { path: "/result/content", pattern: "token-[0-9]+" }),
    }),
  },
  askRm: {
    rego:
      'ask contains {"rule": "ask-rm", "reason": "rm deletes files"} if input.tool.name == "rm"',
    members: ["tool"],
    rules: (i) => ({ ask: when(isRm(i), { rule: "ask-rm", reason: "rm deletes files" }) }),
  },
  askResponses: {
    rego: 'ask contains "check results" if input.kind == "response"',
    members: ["kind"],
    rules: (i) => ({ ask: when(isResponse(i), "check results") }),
  },
  denyEverything: {
    rego: 'deny contains "everything" if true',
    members: [],
    rules: () => ({ deny: ["everything"] }),
  },
  askEverything: {
    rego: 'ask contains "needs a person" if true',
    members: [],
    rules: () => ({ ask: ["needs a person"] }),
  },
  labelsAndRisk: {
    rego: `
labels contains "rm" if input.tool.name == "rm"
risk contains 9 if { input.kind == "request"; input.tool.arguments.path == "/" }
`,
    members: ["kind", "tool"],
    rules: (i) => ({
      labels: when(isRm(i), "rm"),
      risk: when(i?.kind === "request" && i?.tool?.arguments?.path === "/", 9),
    }),
  },
  labelIfMessage: {
    rego: 'labels contains "x" if input.message.id == 7',
    members: ["message"],
    rules: (i) => ({ labels: when(i?.message?.id === 7, "x") }),
  },
  labelIfStats: {
    rego: 'labels contains "x" if input.stats.calls >= 0',
    members: ["stats"],
    rules: (i) => ({
      labels: when(typeof i?.stats?.calls === "number" && i.stats.calls >= 0, "x"),
    }),
  },
  labelIfClock: {
    rego: 'labels contains "x" if time.now_ns() > 0',
    members: [],
    builtins: ["time.now_ns"],
    rules: () => ({ labels: ["x"] }),
  },
  labelIfInput: {
    rego: 'labels contains "x" if count(input) > 0',
    members: undefined,
    rules: (i) => ({ labels: when(Object.keys(i ?? {}).length > 0, "x") }),
  },
  labelOne: {
    rego: 'labels contains "one" if input.kind == "request"',
    members: ["kind"],
    rules: (i) => ({ labels: when(i?.kind === "request", "one") }),
  },
  labelTwo: {
    rego: 'labels contains "two" if input.kind == "request"',
    members: ["kind"],
    rules: (i) => ({ labels: when(i?.kind === "request", "two") }),
  },
  labelToolOfMessage: {
    rego: "labels contains input.message.params.name if input.message.id == 7",
    members: ["message"],
    rules: (i) => ({
      labels: when(
        i?.message?.id === 7 && typeof i.message.params?.name === "string",
        i?.message?.params?.name,
      ),
    }),
  },
  patchDryRunObject: {
    rego: `
patch contains {"op": "add", "path": "/params/arguments/dry_run", "value": {"on": true}} if {
	input.tool.name == "rm"
}`,
    members: ["tool"],
    rules: (i) => ({
      patch: when(isRm(i), { op: "add", path: "/params/arguments/dry_run", value: { on: true } }),
    }),
  },
  denyShell: {
    rego: 'deny contains "no shell" if input.tool.name == "shell"',
    members: ["tool"],
    rules: (i) => ({ deny: when(i?.tool?.name === "shell", "no shell") }),
  },
  denyShellTolerant: {
    rego:
      'deny contains "no shell" if input.tool.name == "shell"\ntolerate contains "case_variant_members"',
    members: ["tool"],
    rules: (i) => ({
      deny: when(i?.tool?.name === "shell", "no shell"),
      tolerate: ["case_variant_members"],
    }),
  },
  denyBareCr: {
    rego: 'deny contains "doubt" if "bare_cr" in input.integrity',
    members: ["integrity"],
    rules: (i) => ({
      deny: when(Array.isArray(i?.integrity) && i.integrity.includes("bare_cr"), "doubt"),
    }),
  },
  denyRmRf: {
    rego: 'deny contains "rm" if contains(input.tool.arguments.command, "rm -rf")',
    members: ["tool"],
    rules: (i) => ({
      deny: when(
        typeof i?.tool?.arguments?.command === "string" &&
          i.tool.arguments.command.includes("rm -rf"),
        "rm",
      ),
    }),
  },
  askCalls: {
    rego: 'ask contains "calls need a person" if input.method == "tools/call"',
    members: ["method"],
    rules: (i) => ({ ask: when(i?.method === "tools/call", "calls need a person") }),
  },
} satisfies Record<string, FakePolicy>;

/** `askRm` with `approval_timeout contains seconds`. */
export function askRmWithTimeout(seconds: number): FakePolicy {
  return {
    ...POLICIES.askRm,
    rego: `${POLICIES.askRm.rego}\napproval_timeout contains ${seconds} if true`,
    rules: (i) => ({ ...POLICIES.askRm.rules(i), approval_timeout: [seconds] }),
  };
}
