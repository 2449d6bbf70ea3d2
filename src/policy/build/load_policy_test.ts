import { equal, ok, rejects } from "node:assert/strict";
import type { KmError } from "../../errors.ts";
import { loadPolicy } from "./load_policy.ts";

/** Runs `fn` with a temporary folder holding `files`, then removes it. */
async function withFolder(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "km-load-policy-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function refused(code: string, ...includes: string[]) {
  return (e: KmError) => {
    equal(e.code, code, e.message);
    for (const text of includes) {
      ok(`${e.message}\n${e.hint}`.includes(text), `${text}: ${e.message}`);
    }
    return true;
  };
}

Deno.test("loadPolicy() refuses a file that is no policy, naming it and what --policy takes", async () => {
  await withFolder({ "notes.txt": "package kilometers\n", "p.json": "{}" }, async (dir) => {
    for (const name of ["notes.txt", "p.json"]) {
      await rejects(
        loadPolicy(`${dir}/${name}`),
        refused(
          "POLICY_INVALID",
          `"${dir}/${name}"`,
          "a directory of .rego files",
          "a .rego file",
          "a bundle.tar.gz",
          "a .wasm module",
        ),
      );
    }
  });
});

Deno.test("loadPolicy() of a .rego file refuses, before compiling, rules outside package kilometers and test files", async () => {
  const mine = 'package mypolicy\nimport rego.v1\ndeny contains "no" if input.kind == "request"\n';
  await withFolder({ "mine.rego": mine, "p_test.rego": "package kilometers\n" }, async (dir) => {
    await rejects(
      loadPolicy(`${dir}/mine.rego`, { opa: "/nonexistent/opa" }),
      refused("POLICY_INVALID", `package mypolicy (${dir}/mine.rego)`),
    );
    await rejects(
      loadPolicy(`${dir}/p_test.rego`, { opa: "/nonexistent/opa" }),
      refused("POLICY_INVALID", `"${dir}/p_test.rego"`, "holds tests"),
    );
  });
});

Deno.test("loadPolicy() of a .rego file takes no --policy-data, and says where data goes", async () => {
  await withFolder({ "p.rego": "package kilometers\n", "d.json": "{}" }, async (dir) => {
    await rejects(
      loadPolicy(`${dir}/p.rego`, { dataPath: `${dir}/d.json` }),
      refused("USAGE", "--policy-data is for a .wasm policy", "in a directory"),
    );
  });
});
