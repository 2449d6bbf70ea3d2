import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { compileFiles } from "../src/policy/_testing.ts";
import { readBundle } from "../src/policy/build/bundle.ts";

const WASM_MAGIC = "\0asm\x01\0\0\0";

Deno.test("readBundle reads the module, data and entrypoints of an opa build bundle", async () => {
  const bundle = await compileFiles({
    "p.rego": "package kilometers\ndecision := data.x",
    "data.json": '{"x": [1, 2]}',
  });
  const { wasm, data, entrypoints } = await readBundle(bundle);
  assertEquals(new TextDecoder().decode(wasm.subarray(0, 8)), WASM_MAGIC);
  assertEquals(data, { x: [1, 2] });
  assertEquals(entrypoints, ["kilometers/decision"]);
});
