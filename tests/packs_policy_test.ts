/**
 * Every policy pack of policies/packs passes `km policy test`: its opa tests (`_test.rego`) and
 * its decision cases (`cases.json`) on both OPA's interpreter and the WebAssembly km runs. Each
 * pack must have both, and a README saying what it does. (The examples have their own test,
 * tests/policy_examples_test.ts.)
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { ROOT, runKm } from "./helpers.ts";

const PACKS = `${ROOT}policies/packs`;

async function policyTest(dir: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runKm(["policy", "test", dir]);
  return { code, output: stdout + stderr };
}

const packs: string[] = [];
for (const entry of Deno.readDirSync(PACKS)) if (entry.isDirectory) packs.push(entry.name);

Deno.test("policies/packs holds the packs", () => {
  deepStrictEqual(packs.toSorted(), ["devenv", "k8s"]);
});

for (const name of packs.sort()) {
  Deno.test(`policy pack ${name} passes km policy test (opa tests and decision cases)`, async () => {
    const files = [...Deno.readDirSync(`${PACKS}/${name}`)].map((e) => e.name);
    ok(files.some((f) => f.endsWith("_test.rego")), `${name} has no _test.rego`);
    ok(files.includes("cases.json"), `${name} has no cases.json`);
    ok(files.includes("README.md"), `${name} has no README.md`);
    const { code, output } = await policyTest(`${PACKS}/${name}`);
    equal(code, 0, output);
    // Both stages ran: the opa tests and the cases on both engines.
    match(
      output,
      /PASS: opa test \d+ passed, 0 failed; cases \d+ passed, 0 failed \(WASM and opa\)/,
    );
  });
}
