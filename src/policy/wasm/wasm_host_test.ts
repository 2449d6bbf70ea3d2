import { equal, ok, rejects } from "node:assert/strict";
import { KmError } from "../../errors.ts";
import { WasmPolicy } from "./wasm_host.ts";

// The tests of the host on compiled policies need the OPA compiler: tests/policy_wasm_host_test.ts.

Deno.test("load rejects bytes that are not an OPA policy module", async () => {
  const notWasm = new TextEncoder().encode("package kilometers\n");
  await rejects(WasmPolicy.load(notWasm, {}, { name: "x.rego" }), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_INVALID");
    ok(e.message.startsWith(`Cannot load policy "x.rego": not a WebAssembly module`), e.message);
    return true;
  });
  // A valid module that is not an OPA policy: no memory import.
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  await rejects(WasmPolicy.load(empty), /imports no env.memory/);
});
