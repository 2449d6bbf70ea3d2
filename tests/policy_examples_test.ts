/**
 * Every example policy passes `km policy test`: its opa tests, and its decision cases on both
 * OPA's interpreter and the WebAssembly km runs. The default policy is held to the same.
 */
import { equal } from "node:assert/strict";
import { ROOT, runKm } from "./helpers.ts";

const EXAMPLES = `${ROOT}policies/examples`;

async function policyTest(dir: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runKm(["policy", "test", dir]);
  return { code, output: stdout + stderr };
}

const dirs: string[] = [];
for (const entry of Deno.readDirSync(EXAMPLES)) if (entry.isDirectory) dirs.push(entry.name);

for (const name of dirs.sort()) {
  Deno.test(`example policy ${name} passes km policy test`, async () => {
    const { code, output } = await policyTest(`${EXAMPLES}/${name}`);
    equal(code, 0, output);
  });
}

Deno.test("the default policy passes km policy test", async () => {
  const { code, output } = await policyTest(`${ROOT}policies/default`);
  equal(code, 0, output);
});
