/**
 * km init end to end: what it writes is a policy whose own tests and decision cases pass under
 * `km policy test` (the OPA compiler: `deno task setup` installs it), and a second run refuses
 * to replace the files.
 */
import { equal, ok } from "node:assert/strict";
import { requireOpa } from "../src/policy/_testing.ts";
import { kmCommand } from "./helpers.ts";

requireOpa();

async function km(cwd: string, ...args: string[]) {
  const [program, ...rest] = kmCommand(...args);
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args: rest,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout), err: text.decode(stderr) };
}

Deno.test("km init writes a starter policy that km policy test passes, and refuses to overwrite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const init = await km(dir, "init", "project");
    equal(init.code, 0, init.err);
    ok(init.out.includes("km policy test project/policies"), init.out);
    const test = await km(dir, "policy", "test", "project/policies");
    equal(test.code, 0, test.out + test.err);
    ok(/PASS: opa test 5 passed, 0 failed; cases 3 passed, 0 failed/.test(test.out), test.out);
    const config = await km(`${dir}/project`, "config", "show", "--config", "km.jsonc");
    equal(config.code, 0, config.err);
    ok(config.out.includes('"path": "./policies"'), config.out);
    const again = await km(dir, "init", "project");
    equal(again.code, 2);
    ok(
      again.err.includes(`km init would replace 5 files already there: ${dir}/project/km.jsonc`),
      again.err,
    );
    equal((await km(dir, "init", "project", "--force")).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
