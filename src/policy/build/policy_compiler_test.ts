import { deepStrictEqual as assertEquals, equal, ok, rejects, throws } from "node:assert/strict";
import { KmError } from "../../errors.ts";
import type { OpaLookup } from "./find_opa.ts";
import { absolute, chooseCompiler, runCompiler, WASM_COMPILER } from "./policy_compiler.ts";

function lookup(env: Record<string, string>, files: string[] = []): OpaLookup {
  const set = new Set(files);
  return { env: (name) => env[name], isFile: (p) => set.has(p), os: "linux" };
}

Deno.test("chooseCompiler uses km's own OPA unless an opa executable is asked for", () => {
  const opaOnPath = lookup({ PATH: "/usr/bin" }, ["/usr/bin/opa"]);
  assertEquals(chooseCompiler("policy p", undefined, opaOnPath), WASM_COMPILER);
  assertEquals(
    chooseCompiler("policy p", undefined, lookup({ KM_POLICY_COMPILER: "wasm" })),
    WASM_COMPILER,
  );
  assertEquals(
    chooseCompiler("policy p", undefined, lookup({ KM_POLICY_COMPILER: "" })),
    WASM_COMPILER,
  );
});

Deno.test("chooseCompiler takes the opa a caller names over the environment", () => {
  assertEquals(
    chooseCompiler("policy p", "/opt/opa", lookup({ KM_POLICY_COMPILER: "wasm" })),
    { kind: "opa", path: "/opt/opa" },
  );
});

Deno.test("KM_POLICY_COMPILER=opa finds the opa as findOpa does, a path names one", () => {
  const env = { KM_POLICY_COMPILER: "opa", PATH: "/a:/b" };
  assertEquals(
    chooseCompiler("policy p", undefined, lookup(env, ["/b/opa"])),
    { kind: "opa", path: "/b/opa" },
  );
  assertEquals(
    chooseCompiler("policy p", undefined, lookup({ KM_POLICY_COMPILER: "/x/opa-1.22" })),
    { kind: "opa", path: "/x/opa-1.22" },
  );
});

Deno.test("KM_POLICY_COMPILER=opa with no opa anywhere names what could not be compiled", () => {
  throws(
    () => chooseCompiler('policy directory "p"', undefined, lookup({ KM_POLICY_COMPILER: "opa" })),
    (e: unknown) => {
      ok(e instanceof KmError);
      equal(e.code, "POLICY_COMPILER_NOT_FOUND");
      equal(
        e.message,
        'Cannot compile policy directory "p": KM_POLICY_COMPILER=opa, but no opa executable ' +
          "was found (in .tools/bin or on PATH)",
      );
      ok(e.hint?.includes("unset KM_POLICY_COMPILER"), e.hint);
      return true;
    },
  );
});

Deno.test("runCompiler says how to install opa when the executable is missing", async () => {
  await rejects(
    runCompiler({ kind: "opa", path: "/nonexistent/opa" }, { args: ["version"], reads: [] }),
    (e: unknown) => {
      ok(e instanceof KmError);
      equal(e.code, "POLICY_COMPILER_NOT_FOUND");
      ok(e.message.includes('"/nonexistent/opa" was not found'), e.message);
      ok(e.hint?.includes("scripts/install_opa.ts"), e.hint);
      return true;
    },
  );
});

Deno.test("absolute resolves a path against the working directory, . and .. included", () => {
  equal(absolute("policy/a.rego", "/work/"), "/work/policy/a.rego");
  equal(absolute("./p/../q", "/work"), "/work/q");
  equal(absolute("/etc//x/", "/work"), "/etc/x");
  equal(absolute("..", "/"), "/");
});
