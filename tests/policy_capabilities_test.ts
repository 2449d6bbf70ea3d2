import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { compileFiles, loadRego, requireOpa } from "../src/policy/_testing.ts";
import { readBundle } from "../src/policy/build/bundle.ts";
import { KM_BUILTINS } from "../src/policy/wasm/builtins.ts";
import { CAPABILITIES_PATH } from "../src/policy/build/compile.ts";
import { KmError } from "../src/errors.ts";
import { WasmPolicy } from "../src/policy/wasm/wasm_host.ts";

function compileFailed(...fragments: string[]) {
  return (e: unknown) => {
    ok(e instanceof KmError, String(e));
    equal(e.code, "POLICY_COMPILE_FAILED");
    for (const fragment of fragments) ok(e.message.includes(fragment), e.message);
    return true;
  };
}

async function webCryptoSha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a policy calling http.send fails at build time with OPA's message", async () => {
  const rego = `package kilometers
decision := http.send({"method": "GET", "url": "https://example.com"})`;
  await rejects(
    compileFiles({ "policy.rego": rego }),
    compileFailed("rego_type_error: undefined function http.send", "policy.rego:2"),
  );
  // Without km's capabilities OPA would compile it and leave the call to the host at run time.
  const dir = await Deno.makeTempDir();
  try {
    const all = `${dir}/all.json`;
    const { stdout } = await new Deno.Command(requireOpa(), {
      args: ["capabilities", "--current"],
    }).output();
    await Deno.writeFile(all, stdout);
    const { wasm } = await readBundle(await compileFiles({ "policy.rego": rego }, all));
    await rejects(WasmPolicy.load(wasm), /calls the built-in "http.send"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a policy calling sprintf fails at build time: template strings replace it", async () => {
  await rejects(
    compileFiles({ "policy.rego": `package kilometers\ndecision := sprintf("%s", [input.x])` }),
    compileFailed("undefined function sprintf"),
  );
  const policy = await loadRego(`package kilometers\ndecision := $"tool {input.x} is blocked"`);
  assertEquals(policy.evaluate({ x: "rm" }), [{ result: "tool rm is blocked" }]);
});

Deno.test("a policy using km's built-ins and WASM-native ones builds and evaluates", async () => {
  const policy = await loadRego(
    `package kilometers
deny contains "secret in arguments" if {
  some value in input.tool.arguments
  regex.match("sk-[a-z0-9]{6,}", value)
}
decision := {
  "deny": deny,
  "redacted": regex.replace(json.marshal(input.tool.arguments), "sk-[a-z0-9]{6,}", "sk-***"),
  "digest": crypto.sha256(input.tool.name),
  "at": time.now_ns(),
  "tools": count(data.allowed),
}`,
    { data: { allowed: ["echo", "add"] }, nowNs: () => 42n },
  );
  assertEquals(policy.builtinNames, ["crypto.sha256", "regex.replace", "time.now_ns"]);
  assertEquals(policy.evaluate({ tool: { name: "echo", arguments: { key: "sk-abcdef12" } } }), [{
    result: {
      deny: ["secret in arguments"],
      redacted: '{"key":"sk-***"}',
      digest: await webCryptoSha256("echo"),
      at: 42,
      tools: 2,
    },
  }]);
});

Deno.test("every built-in policies/capabilities.json allows is native in WASM or km's", async () => {
  // One rule per built-in, called with arguments from input (type `any`, so any signature
  // type-checks); the module then imports exactly the built-ins the host must supply.
  const capabilities = JSON.parse(await Deno.readTextFile(CAPABILITIES_PATH));
  const calls: string[] = capabilities.builtins
    .filter((b: Capability) => !b.deprecated && !b.name.startsWith("internal."))
    .filter((b: Capability) => b.name !== "eq" && b.name !== "assign")
    .map((b: Capability) =>
      `${b.name}(${(b.decl.args ?? []).map((_, i) => `input.a${i}`).join(", ")})`
    );
  ok(calls.length > 80);
  const rules = calls.map((call, i) => `r${i} := ${call}`).join("\n");
  const decision = `decision := [${calls.map((_, i) => `r${i}`).join(", ")}]`;
  const { wasm } = await readBundle(
    await compileFiles({ "all.rego": `package kilometers\n${rules}\n${decision}\n` }),
  );
  const policy = await WasmPolicy.load(wasm);
  assertEquals(policy.builtinNames, Object.keys(KM_BUILTINS).sort());
});

interface Capability {
  name: string;
  deprecated?: boolean;
  decl: { args?: unknown[] };
}
