import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { loadPolicy } from "./load_policy.ts";
import { UNKNOWN_INPUT_USE } from "./input_use.ts";
import { requireOpa, withFiles } from "./_testing.ts";

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
