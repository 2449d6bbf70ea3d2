import { equal } from "node:assert/strict";
import { KM_DENO_FLAGS } from "./runtime.ts";
import { DENO_PIN, VERSION } from "./version.ts";

Deno.test("VERSION matches deno.json and DENO_PIN matches the pinned Deno everywhere", async () => {
  const root = new URL("..", import.meta.url);
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  equal(VERSION, denoJson.version);
  const ci = await Deno.readTextFile(new URL(".ci/run", root));
  equal(ci.includes(`DENO_VERSION=${DENO_PIN}`), true, ".ci/run installs the pinned Deno");
  const readme = await Deno.readTextFile(new URL("README.md", root));
  equal(
    readme.includes(`npx -y deno@${DENO_PIN} task test`),
    true,
    "README's test command uses the pin",
  );
});

// `install` builds and installs the npm package, whose launcher passes the flags (checked by
// scripts/pack.ts and scripts/pack/pack_test.ts).
Deno.test("every task that starts km passes KM_DENO_FLAGS", async () => {
  const root = new URL("..", import.meta.url);
  const { tasks } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  for (const task of ["start", "km", "compile"]) {
    equal(tasks[task].includes(KM_DENO_FLAGS.join(" ")), true, `task ${task}: ${tasks[task]}`);
  }
});
