import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { requireOpa } from "../src/policy/_testing.ts";
import { readBundle } from "../src/policy/build/bundle.ts";
import { compilePolicy } from "../src/policy/build/compile.ts";
import { KmError } from "../src/errors.ts";

async function withPolicyDir<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("compilePolicy returns a gzipped bundle for kilometers/decision with merged data", async () => {
  const files = {
    "main.rego": "package kilometers\ndecision := data.lists.blocked",
    "lists/data.json": '{"blocked": ["rm"]}',
  };
  const bundle = await withPolicyDir(files, (dir) => compilePolicy([dir], { opa: requireOpa() }));
  assertEquals([bundle[0], bundle[1]], [0x1f, 0x8b]);
  const { wasm, data, entrypoints } = await readBundle(bundle);
  assertEquals(data, { lists: { blocked: ["rm"] } });
  assertEquals(entrypoints, ["kilometers/decision"]);
  assertEquals([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
});

Deno.test("compilePolicy reports OPA's error for a policy that does not parse", async () => {
  const files = { "bad.rego": "package kilometers\ndecision := {" };
  await withPolicyDir(files, async (dir) => {
    await rejects(compilePolicy([dir], { opa: requireOpa() }), (e: unknown) => {
      ok(e instanceof KmError);
      equal(e.code, "POLICY_COMPILE_FAILED");
      equal(e.exitCode, 2);
      ok(e.message.startsWith(`Cannot compile policy "${dir}": opa build exited with code 1`));
      ok(e.message.includes("bad.rego:2: rego_parse_error"), e.message);
      equal(e.hint, undefined);
      return true;
    });
  });
});

Deno.test("compilePolicy reports a policy without the decision entrypoint", async () => {
  const files = { "other.rego": "package other\nallow := true" };
  await withPolicyDir(files, async (dir) => {
    await rejects(
      compilePolicy([dir], { opa: requireOpa() }),
      /entrypoint "kilometers\/decision" does not refer to a rule/,
    );
  });
});

Deno.test("compilePolicy says how to install opa when the compiler is missing", async () => {
  await rejects(compilePolicy(["."], { opa: "/nonexistent/opa" }), (e: unknown) => {
    ok(e instanceof KmError);
    equal(e.code, "POLICY_COMPILER_NOT_FOUND");
    ok(e.message.includes(`"/nonexistent/opa" was not found`));
    ok(e.hint?.includes("scripts/install_opa.ts"));
    return true;
  });
});
