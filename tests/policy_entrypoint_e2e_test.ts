/**
 * A policy whose rules km would never consult (they are not in `package kilometers`) is refused
 * before anything starts: by `km monitor` (exit 2, nothing relayed), and by `km policy build`
 * and `km policy test`, each naming the package found and the one expected.
 */
import { equal, ok } from "node:assert/strict";
import { kmCommand, KmProcess, SERVER_EVERYTHING } from "./helpers.ts";

const MYPOLICY = `package mypolicy

import rego.v1

deny contains "echo is not allowed" if input.tool.name == "echo"
`;

async function withPolicy(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "km-entrypoint-e2e-" });
  try {
    await Deno.mkdir(`${root}/policy`);
    await Deno.writeTextFile(`${root}/policy/policy.rego`, MYPOLICY);
    await Deno.writeTextFile(
      `${root}/policy/policy_test.rego`,
      "package mypolicy_test\n\nimport rego.v1\n\ntest_nothing if true\n",
    );
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function saysWhy(stderr: string): void {
  ok(stderr.includes("has no rules km evaluates"), stderr);
  ok(stderr.includes("package mypolicy (policy.rego)"), stderr);
  ok(stderr.includes("package kilometers"), stderr);
}

Deno.test("km monitor refuses a policy in another package: exit 2, the server never starts", async () => {
  await withPolicy(async (root) => {
    const proc = new KmProcess([
      "monitor",
      "--policy",
      `${root}/policy`,
      "--log-dir",
      `${root}/logs`,
      "--",
      "node",
      ...SERVER_EVERYTHING,
    ]);
    await proc.closeStdin();
    equal((await proc.exit()).code, 2);
    equal(proc.stdout, "");
    saysWhy(proc.stderr);
  });
});

Deno.test("km policy build and km policy test refuse it the same way", async () => {
  await withPolicy(async (root) => {
    for (
      const args of [["build", `${root}/policy`, "-o", `${root}/b.tar.gz`], [
        "test",
        `${root}/policy`,
      ]]
    ) {
      const [program, ...rest] = kmCommand("policy", ...args);
      const run = await new Deno.Command(program, { args: rest, stdin: "null" }).output();
      equal(run.code, 2, args.join(" "));
      saysWhy(new TextDecoder().decode(run.stderr));
    }
    const built = await Deno.stat(`${root}/b.tar.gz`).then(() => true, () => false);
    equal(built, false);
  });
});
