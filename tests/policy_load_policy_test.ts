import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import type { KmError } from "../src/errors.ts";
import { readBundle } from "../src/policy/build/bundle.ts";
import { compilePolicy } from "../src/policy/build/compile.ts";
import { loadPolicy, stagePolicy } from "../src/policy/build/load_policy.ts";
import { UNKNOWN_INPUT_USE } from "../src/policy/build/input_use.ts";
import { requireOpa, withFiles } from "../src/policy/_testing.ts";

const POLICY =
  'package kilometers\nimport rego.v1\nlabels contains "x" if input.kind == "request"\n';

Deno.test("loadPolicy() compiles a directory once: later loads come from the cache with no opa", async () => {
  await withFiles({ "p.rego": POLICY }, async (dir) => {
    const cacheDir = await Deno.makeTempDir();
    try {
      const first = await loadPolicy(dir, { opa: requireOpa(), cacheDir });
      assertEquals(first.inputUse, { members: ["kind"] });
      const cached = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
      assertEquals(cached, [`${first.revision}.input.json`, `${first.revision}.tar.gz`]);
      const again = await loadPolicy(dir, { opa: "/nonexistent/opa", cacheDir });
      equal(again.revision, first.revision);
      assertEquals(again.inputUse, first.inputUse);
      // A cache from before input uses were recorded: the plan is made and recorded now.
      await Deno.remove(`${cacheDir}/${first.revision}.input.json`);
      const planned = await loadPolicy(dir, { opa: requireOpa(), cacheDir });
      assertEquals(planned.inputUse, { members: ["kind"] });
      await Deno.writeTextFile(`${cacheDir}/${first.revision}.input.json`, '{"members":[1]}');
      const repaired = await loadPolicy(dir, { opa: requireOpa(), cacheDir });
      assertEquals(repaired.inputUse, { members: ["kind"] });
    } finally {
      await Deno.remove(cacheDir, { recursive: true });
    }
  });
});

Deno.test("loadPolicy() of a bundle built elsewhere knows nothing of what the policy reads", async () => {
  await withFiles({ "p.rego": POLICY }, async (dir) => {
    const built = await loadPolicy(dir, { opa: requireOpa(), cacheDir: `${dir}/cache` });
    const bundle = `${dir}/cache/${built.revision}.tar.gz`;
    const loaded = await loadPolicy(bundle);
    assertEquals(loaded.inputUse, UNKNOWN_INPUT_USE);
  });
});

const MYPOLICY =
  'package mypolicy\nimport rego.v1\ndeny contains "no" if input.kind == "request"\n';

Deno.test("loadPolicy() refuses a directory whose rules are not in package kilometers", async () => {
  await withFiles({ "policy.rego": MYPOLICY }, async (dir) => {
    await rejects(
      loadPolicy(dir, { opa: requireOpa() }),
      (e: KmError) => {
        equal(e.code, "POLICY_INVALID");
        ok(e.message.includes("package mypolicy (policy.rego)"), e.message);
        ok(e.message.includes("package kilometers"), e.message);
        return true;
      },
    );
  });
});

Deno.test("loadPolicy() refuses a bundle km built, framework and all, from rules it does not evaluate", async () => {
  await withFiles({ "p.rego": MYPOLICY }, async (dir) => {
    // As km built such a bundle before it refused them: the author's file and the framework.
    const staged = `${dir}/staged`;
    await stagePolicy(dir, [{ name: "p.rego", bytes: new TextEncoder().encode(MYPOLICY) }], staged);
    const bundle = await compilePolicy([staged], { opa: requireOpa() });
    await Deno.writeFile(`${dir}/old.tar.gz`, bundle);
    await rejects(
      loadPolicy(`${dir}/old.tar.gz`),
      /its modules are in package mypolicy \(.*p\.rego\)/,
    );
  });
});

Deno.test("loadPolicy() refuses a bundle or .wasm with no kilometers/decision, naming its entrypoints", async () => {
  const rego = 'package mypolicy\nimport rego.v1\ndecision := {"action": "allow"}\n';
  await withFiles({ "p.rego": rego }, async (dir) => {
    const bundle = await compilePolicy([dir], {
      opa: requireOpa(),
      entrypoint: "mypolicy/decision",
    });
    await Deno.writeFile(`${dir}/b.tar.gz`, bundle);
    await rejects(loadPolicy(`${dir}/b.tar.gz`), (e: KmError) => {
      equal(e.code, "POLICY_INVALID");
      ok(e.message.includes('no entrypoint "kilometers/decision" (it has: mypolicy/decision)'));
      return true;
    });
    await Deno.writeFile(`${dir}/p.wasm`, (await readBundle(bundle)).wasm);
    await rejects(
      loadPolicy(`${dir}/p.wasm`),
      /"kilometers\/decision" \(it has: mypolicy\/decision\)/,
    );
  });
});
