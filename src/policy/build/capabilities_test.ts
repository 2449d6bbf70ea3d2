import { ok } from "node:assert/strict";
import { KM_BUILTINS } from "../wasm/builtins.ts";
import { CAPABILITIES_PATH } from "./compile.ts";

// The policies built against the capabilities need the OPA compiler:
// tests/policy_capabilities_test.ts.

Deno.test("policies/capabilities.json declares every built-in km supplies, and no print", async () => {
  const capabilities = JSON.parse(await Deno.readTextFile(CAPABILITIES_PATH));
  const names = new Set(capabilities.builtins.map((b: { name: string }) => b.name));
  for (const name of Object.keys(KM_BUILTINS)) ok(names.has(name), name);
  ok(!names.has("http.send") && !names.has("print") && !names.has("sprintf"));
  ok(names.has("regex.match") && names.has("internal.template_string"));
});

Deno.test("policies/capabilities.json declares km's own built-ins (km.*) as km does", async () => {
  const capabilities = JSON.parse(await Deno.readTextFile(CAPABILITIES_PATH));
  const byName = new Map(
    capabilities.builtins.map((b: { name: string }) => [b.name, b] as const),
  );
  for (const [name, builtin] of Object.entries(KM_BUILTINS)) {
    if (!name.startsWith("km.")) continue;
    const declared = byName.get(name) as { decl: unknown; nondeterministic?: boolean };
    ok(declared, name);
    ok(JSON.stringify(declared.decl) === JSON.stringify(builtin.decl), name);
    ok((declared.nondeterministic ?? false) === (builtin.nondeterministic ?? false), name);
  }
});
