/**
 * km init end to end: what it writes is a policy whose own tests and decision cases pass under
 * `km policy test` (the OPA compiler: `deno task setup` installs it), and a second run refuses
 * to replace the files.
 */
import { equal, ok } from "node:assert/strict";
import { requireOpa } from "../src/policy/_testing.ts";
import { runKm } from "./helpers.ts";

requireOpa();

function km(cwd: string, ...args: string[]) {
  return runKm(args, { cwd });
}

Deno.test("km init writes a starter policy that km policy test passes, and refuses to overwrite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const init = await km(dir, "init", "project");
    equal(init.code, 0, init.stderr);
    ok(init.stdout.includes("km policy test project/policies"), init.stdout);
    const test = await km(dir, "policy", "test", "project/policies");
    equal(test.code, 0, test.stdout + test.stderr);
    ok(
      /PASS: opa test 5 passed, 0 failed; cases 3 passed, 0 failed/.test(test.stdout),
      test.stdout,
    );
    const config = await km(`${dir}/project`, "config", "show", "--config", "km.jsonc");
    equal(config.code, 0, config.stderr);
    ok(config.stdout.includes('"path": "./policies"'), config.stdout);
    const again = await km(dir, "init", "project");
    equal(again.code, 2);
    ok(
      again.stderr.includes(`km init would replace 5 files already there: ${dir}/project/km.jsonc`),
      again.stderr,
    );
    equal((await km(dir, "init", "project", "--force")).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
