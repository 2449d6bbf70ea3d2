import { deepStrictEqual as assertEquals, equal, ok, rejects, throws } from "node:assert/strict";
import { loadRego } from "../src/policy/_testing.ts";
import { readBundle } from "../src/policy/build/bundle.ts";
import { compileFiles } from "../src/policy/_testing.ts";
import { KmError } from "../src/errors.ts";
import { WasmPolicy } from "../src/policy/wasm/wasm_host.ts";

const POLICY = `package kilometers

deny contains reason if {
  input.method == "tools/call"
  input.tool.name in data.blocked_tools
  reason := $"tool {input.tool.name} is blocked"
}

deny contains "shell metacharacters in a path" if {
  input.method == "tools/call"
  some key, value in input.tool.arguments
  endswith(key, "path")
  regex.match("[;&|$\`]", value)
}

ask contains "writes outside /tmp need approval" if {
  input.tool.name == "write_file"
  not startswith(input.tool.arguments.path, "/tmp/")
}

default mode := "enforce"
mode := input.mode

decision := {"deny": deny, "ask": ask, "mode": mode}
`;

const DATA = { blocked_tools: ["rm_rf", "exec"] };

function call(name: string, args: Record<string, unknown>) {
  return { method: "tools/call", tool: { name, arguments: args } };
}

const policy = await loadRego(POLICY, { data: DATA, name: "test.rego" });

Deno.test("evaluate returns the decision as the result of a one-element result set", () => {
  assertEquals(policy.evaluate(call("echo", { text: "hi" })), [
    { result: { deny: [], ask: [], mode: "enforce" } },
  ]);
});

Deno.test("evaluate collects the reasons of every deny and ask rule that matches", () => {
  const [{ result }] = policy.evaluate({ ...call("exec", { path: "a; rm -rf /" }), mode: "audit" });
  assertEquals(result, {
    deny: ["shell metacharacters in a path", "tool exec is blocked"],
    ask: [],
    mode: "audit",
  });
  assertEquals(policy.evaluate(call("write_file", { path: "/etc/passwd" }))[0].result, {
    deny: [],
    ask: ["writes outside /tmp need approval"],
    mode: "enforce",
  });
});

Deno.test("evaluate answers the same through opa_eval (heapResetBytes 0) and lazy resets", async () => {
  const eager = await loadRego(POLICY, { data: DATA, heapResetBytes: 0 });
  const inputs = [call("exec", { path: "x|y" }), call("echo", {}), { method: "ping" }, undefined];
  for (let round = 0; round < 300; round++) {
    for (const input of inputs) assertEquals(eager.evaluate(input), policy.evaluate(input));
  }
});

Deno.test("evaluate without input, or with input the rules ignore, still decides", () => {
  assertEquals(policy.evaluate(undefined), [{ result: { deny: [], ask: [], mode: "enforce" } }]);
  assertEquals(policy.evaluate({ method: "ping" })[0].result, {
    deny: [],
    ask: [],
    mode: "enforce",
  });
});

Deno.test("evaluate returns an empty result set when the entrypoint is undefined", async () => {
  const partial = await loadRego(`package kilometers\ndecision := 1 if input.x`);
  assertEquals(partial.evaluate({ x: true }), [{ result: 1 }]);
  assertEquals(partial.evaluate({}), []);
});

Deno.test("evaluate passes strings through memory as UTF-8 both ways", async () => {
  const echo = await loadRego(
    `package kilometers\ndecision := {"s": input.s, "n": count(input.s)}`,
  );
  const s = 'héllo \u{1F600} \u0000 "quoted" \\ 日本';
  assertEquals(echo.evaluate({ s }), [{ result: { s, n: [...s].length } }]);
});

Deno.test("evaluate resets the heap: memory does not grow over many evaluations", async () => {
  const input = call("exec", { path: "x".repeat(2000) });
  const eager = await loadRego(POLICY, { data: DATA, heapResetBytes: 0 });
  const lazy = await loadRego(POLICY, { data: DATA, heapResetBytes: 256 * 1024 });
  eager.evaluate(input);
  const before = eager.memoryBytes;
  for (let i = 0; i < 5000; i++) eager.evaluate(input), lazy.evaluate(input);
  equal(eager.memoryBytes, before);
  const settled = lazy.memoryBytes;
  ok(settled <= before + 512 * 1024, `${settled} bytes`);
  for (let i = 0; i < 5000; i++) lazy.evaluate(input);
  equal(lazy.memoryBytes, settled);
});

Deno.test("evaluate grows memory for a large input and keeps working after it", () => {
  const big = call("echo", { text: "é".repeat(2_000_000) });
  assertEquals(policy.evaluate(big)[0].result, { deny: [], ask: [], mode: "enforce" });
  ok(policy.memoryBytes > 4_000_000);
  assertEquals(policy.evaluate(call("exec", {}))[0].result, {
    deny: ["tool exec is blocked"],
    ask: [],
    mode: "enforce",
  });
});

Deno.test("evaluate fails with POLICY_EVAL_FAILED when the input exceeds maxMemoryBytes", async () => {
  const small = await loadRego(POLICY, { data: DATA, maxMemoryBytes: 4 * 1024 * 1024 });
  throws(() => small.evaluate(call("echo", { text: "x".repeat(5_000_000) })), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_EVAL_FAILED");
    equal(e.exitCode, 1);
    return true;
  });
  assertEquals(small.evaluate(call("exec", {}))[0].result, {
    deny: ["tool exec is blocked"],
    ask: [],
    mode: "enforce",
  });
});

Deno.test("evaluate turns an OPA abort into POLICY_EVAL_FAILED and recovers afterwards", async () => {
  // Two values for one complete rule: OPA aborts the evaluation.
  const conflict = await loadRego(`package kilometers
x := 1 if input.a
x := 2 if input.b
decision := {"x": x}`);
  throws(() => conflict.evaluate({ a: true, b: true }), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_EVAL_FAILED");
    ok(e.message.includes("OPA aborted"), e.message);
    ok(e.message.includes("conflict"), e.message);
    return true;
  });
  // Each abort leaves the module's shadow stack pointer unwound; without a fresh instance after
  // a failure, a few hundred aborts corrupt memory ("memory access out of bounds").
  for (let i = 0; i < 1000; i++) throws(() => conflict.evaluate({ a: true, b: true }));
  assertEquals(conflict.evaluate({ a: true }), [{ result: { x: 1 } }]);
});

Deno.test("evaluateJson fails on malformed input JSON rather than evaluating without input", () => {
  throws(
    () => policy.evaluateJson('{"method": "tools/call",'),
    /could not parse the 24-byte JSON text/,
  );
});

Deno.test("evaluateJson takes and returns JSON text", () => {
  const text = policy.evaluateJson(JSON.stringify(call("rm_rf", {})));
  assertEquals(JSON.parse(text), [{
    result: { deny: ["tool rm_rf is blocked"], ask: [], mode: "enforce" },
  }]);
});

Deno.test("load reads the ABI version and the built-ins the policy needs", async () => {
  equal(policy.abiVersion, "1.3");
  assertEquals(policy.builtinNames, []);
  const hashing = await loadRego(`package kilometers\ndecision := crypto.sha256(input.s)`);
  assertEquals(hashing.builtinNames, ["crypto.sha256"]);
});

Deno.test("load rejects a policy that calls a built-in the host does not supply", async () => {
  const { wasm, data } = await readBundle(
    await compileFiles({ "p.rego": `package kilometers\ndecision := time.now_ns()` }),
  );
  await rejects(WasmPolicy.load(wasm, data, { builtins: {}, name: "p" }), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_INVALID");
    ok(e.message.includes(`Cannot load policy "p"`), e.message);
    ok(e.message.includes(`"time.now_ns"`), e.message);
    ok(e.hint?.includes("capabilities"));
    return true;
  });
});

Deno.test("load rejects a module without the requested entrypoint", async () => {
  const { wasm } = await readBundle(await compileFiles({ "p.rego": POLICY }));
  await rejects(WasmPolicy.load(wasm, {}, { entrypoint: "kilometers/other" }), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_INVALID");
    ok(e.message.includes(`no entrypoint "kilometers/other" (it has: kilometers/decision)`));
    return true;
  });
});

Deno.test("evaluate with lazy heap resets matches resets before every evaluation", async () => {
  // Results that share structure with the input (freed after each evaluation), cached regular
  // expressions and globs, and built-ins of the host, over many varied inputs.
  const rego = `package kilometers
deny contains $"bad {k}" if {
  some k, v in input.args
  regex.match("^(sk|pk)-[a-z0-9]{4,}$", v)
}
deny contains p if {
  some p in input.paths
  glob.match("/etc/**", ["/"], p)
}
paths := [path | walk(input, [path, value]); is_string(value)]
decision := {
  "deny": deny,
  "echo": input.args,
  "merged": object.union(input.args, {"n": count(paths)}),
  "hash": crypto.sha256(json.marshal(input.args)),
  "clean": regex.replace(json.marshal(input.args), "[0-9]+", "#"),
}`;
  const eager = await loadRego(rego, { heapResetBytes: 0 });
  const lazy = await loadRego(rego, { heapResetBytes: 64 * 1024 });
  let seed = 1;
  const random = () => (seed = (seed * 48271) % 0x7fffffff) / 0x7fffffff;
  const word = () =>
    ["sk-", "pk-", "x-", ""][Math.floor(random() * 4)] + random().toString(36).slice(2);
  for (let i = 0; i < 2000; i++) {
    const args = Object.fromEntries(
      Array.from({ length: 1 + (i % 5) }, (_, j) => [`k${j}`, word()]),
    );
    const paths = Array.from(
      { length: i % 3 },
      () => (random() < 0.5 ? "/etc/" : "/home/") + word(),
    );
    const input = { args, paths };
    assertEquals(lazy.evaluate(input), eager.evaluate(input), JSON.stringify(input));
  }
});

Deno.test("heap resets restore the memory of the first evaluation, patterns compiled, until it grows", async () => {
  const rego = `package kilometers
decision := {"shell": regex.match("(^|_)(exec|run|shell)($|_)", input.name), "name": input.name}`;
  const lazy = await loadRego(rego, { heapResetBytes: 32 * 1024 });
  const eager = await loadRego(rego, { heapResetBytes: 0 });
  const check = (n: number) => {
    for (let i = 0; i < n; i++) {
      const input = { name: ["run_command", "read_file", "exec", `tool_${i}`][i % 4] };
      assertEquals(lazy.evaluate(input), eager.evaluate(input));
    }
  };
  check(3000);
  const { plain, warm } = lazy.heapResets;
  equal(plain, 0, "no reset had to start from nothing");
  ok(warm > 10, `${warm} warm resets`);
  const settled = lazy.memoryBytes;
  // A large input grows the memory: the copy no longer fits it, so one plain reset follows,
  // a new copy is taken, and later resets restore that one.
  assertEquals(lazy.evaluate({ name: "x".repeat(300_000) })[0].result, {
    shell: false,
    name: "x".repeat(300_000),
  });
  ok(lazy.memoryBytes > settled);
  check(3000);
  equal(lazy.heapResets.plain, 1);
  ok(lazy.heapResets.warm > warm + 10);
  const grown = lazy.memoryBytes;
  check(3000);
  equal(lazy.memoryBytes, grown, "restores do not make the memory grow");
});

Deno.test("evaluate gives back the memory of a huge input with a fresh instance", async () => {
  const policy = await loadRego(
    'package kilometers\nimport rego.v1\ndecision := {"n": count(input.s)}',
  );
  policy.evaluate({ s: "small" });
  const before = policy.memoryBytes;
  const [{ result }] = policy.evaluate({ s: "x".repeat(24 * 1024 * 1024) });
  assertEquals(result, { n: 24 * 1024 * 1024 });
  ok(policy.memoryBytes <= before + 1024 * 1024, `${policy.memoryBytes} bytes after`);
  assertEquals(policy.evaluate({ s: "ab" })[0].result, { n: 2 });
});
