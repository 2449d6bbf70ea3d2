import { equal, ok, rejects } from "node:assert/strict";
import { KmError } from "../../errors.ts";
import { helloCommand } from "../../wasi/_testing.ts";
import {
  OPA_WASM_ENV,
  opaWasmPath,
  opaWasmSource,
  runOpaWasm,
  useOpaWasm,
  useOpaWasmWorker,
} from "./opa_wasm.ts";

// The real compiler needs a build with Go: tests/policy_wasm_compiler_test.ts. These run the
// plumbing with a WASI command written by hand.

const request = { args: ["build"], files: new Map(), cwd: "/" };

Deno.test("the module is looked for in KM_OPA_WASM, else in .tools/opa-wasm under the root", () => {
  equal(opaWasmPath("/km/"), "/km/.tools/opa-wasm/opa-1.22.2.wasm");
  equal(opaWasmPath("/km", "9.9.9"), "/km/.tools/opa-wasm/opa-9.9.9.wasm");
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  equal(opaWasmSource(env({}), "/km"), "/km/.tools/opa-wasm/opa-1.22.2.wasm");
  equal(opaWasmSource(env({ [OPA_WASM_ENV]: "/pkg/opa.wasm" }), "/km"), "/pkg/opa.wasm");
  equal(opaWasmSource(env({ [OPA_WASM_ENV]: "" }), "/km"), "/km/.tools/opa-wasm/opa-1.22.2.wasm");
});

Deno.test("runOpaWasm runs the module in a worker and returns its exit code and output", async () => {
  const run = await runOpaWasm(request, helloCommand(3));
  equal(run.code, 3);
  equal(new TextDecoder().decode(run.stdout), "hi\n");
  equal(run.stderr.length, 0);
});

Deno.test("runOpaWasm says how to build the module when it is missing", async () => {
  await rejects(runOpaWasm(request, "/nonexistent/opa.wasm"), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_COMPILER_NOT_FOUND");
    ok(e.message.includes('is not at "/nonexistent/opa.wasm"'), e.message);
    ok(e.hint?.includes("scripts/build_opa_wasm.ts"), e.hint);
    ok(e.hint?.includes("KM_POLICY_COMPILER=opa"), e.hint);
    return true;
  });
});

Deno.test("runOpaWasm reports a module that is not a WASI command", async () => {
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  await rejects(
    runOpaWasm(request, empty),
    /the OPA compiler \(WebAssembly\) failed: .*not a WASI command/s,
  );
});

Deno.test("useOpaWasm puts a package's module ahead of KM_OPA_WASM", async () => {
  const env = (name: string) => (name === OPA_WASM_ENV ? "/elsewhere.wasm" : undefined);
  const bytes = helloCommand(0);
  useOpaWasm(bytes);
  try {
    equal(opaWasmSource(env, "/km"), bytes);
    equal((await runOpaWasm(request)).code, 0);
  } finally {
    useOpaWasm(undefined);
  }
});

Deno.test("useOpaWasmWorker runs the compiler in the worker module a bundle names", async () => {
  const dir = await Deno.makeTempDir();
  const worker = `${dir}/bundled_worker.mjs`;
  // A stand-in for the bundled worker: it answers every run with exit code 42.
  await Deno.writeTextFile(
    worker,
    "self.onmessage = (e) => self.postMessage(" +
      "{ id: e.data.id, exitCode: 42, stdout: new Uint8Array(), stderr: new Uint8Array() });\n",
  );
  useOpaWasmWorker(new URL(`file://${worker}`));
  try {
    equal((await runOpaWasm(request, helloCommand(0))).code, 42);
  } finally {
    useOpaWasmWorker(undefined);
    await Deno.remove(dir, { recursive: true });
  }
  equal((await runOpaWasm(request, helloCommand(5))).code, 5);
});
