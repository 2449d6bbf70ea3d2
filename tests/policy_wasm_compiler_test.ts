/**
 * km's own OPA (tools/opa-wasm run in-process, src/policy/build/opa_wasm.ts) against the real,
 * pinned `opa`: the same bundles byte for byte for every policy km ships, the same `km policy
 * test` reports, the same errors naming the author's files; and km compiling, testing and
 * monitoring a policy directory with no `opa` it could run. Needs the setup (both compilers).
 */
import { deepStrictEqual as assertEquals, equal, ok, rejects } from "node:assert/strict";
import { kmPolicy } from "../src/cli/_testing.ts";
import { KmError } from "../src/errors.ts";
import { requireOpa, withFiles } from "../src/policy/_testing.ts";
import { buildBundle, compilePolicy } from "../src/policy/build/compile.ts";
import { opaExecutableName, toolsBinDir } from "../src/policy/build/find_opa.ts";
import { buildDirectory, policyFiles, stagePolicy } from "../src/policy/build/load_policy.ts";
import { opaWasmSource } from "../src/policy/build/opa_wasm.ts";
import { COMPILER_ENV, WASM_COMPILER } from "../src/policy/build/policy_compiler.ts";
import { KM_DENO_FLAGS } from "../src/runtime.ts";
import capabilities from "../policies/capabilities.json" with { type: "json" };
import { KM_MAIN, ROOT } from "./helpers.ts";

const OPA = requireOpa();
const wasm = opaWasmSource();
if (typeof wasm === "string" && !(await Deno.stat(wasm).catch(() => undefined))) {
  throw new Error(`These tests need km's OPA compiler at ${wasm}: run deno task setup`);
}

const POLICIES = [
  "policies/default",
  ...[...Deno.readDirSync(`${ROOT}policies/examples`)]
    .filter((e) => e.isDirectory)
    .map((e) => `policies/examples/${e.name}`)
    .sort(),
];

/** Runs `fn` with `dir` staged as buildDirectory stages it, and km's capabilities beside it. */
async function staged<T>(dir: string, fn: (policy: string, caps: string) => Promise<T>) {
  const work = await Deno.makeTempDir({ prefix: "km-build-" });
  try {
    await stagePolicy(dir, await policyFiles(`${ROOT}${dir}`), `${work}/policy`);
    await Deno.writeTextFile(`${work}/capabilities.json`, JSON.stringify(capabilities));
    return await fn(`${work}/policy`, `${work}/capabilities.json`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** Runs `fn` with KM_POLICY_COMPILER set to `value` (or unset), as a user would set it. */
async function withCompilerEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = Deno.env.get(COMPILER_ENV);
  if (value === undefined) Deno.env.delete(COMPILER_ENV);
  else Deno.env.set(COMPILER_ENV, value);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete(COMPILER_ENV);
    else Deno.env.set(COMPILER_ENV, before);
  }
}

/** `km policy <args>` on km's OPA and on the opa executable. */
async function bothWays(args: string[]) {
  const ours = await withCompilerEnv(undefined, () => kmPolicy(args));
  const theirs = await withCompilerEnv(OPA, () => kmPolicy(args));
  return { ours, theirs };
}

/**
 * A report with its timings removed and its lines sorted: opa runs tests in parallel and prints
 * each as it ends, so only the set of lines is the same from run to run.
 */
function comparable(text: string): string[] {
  return text.replace(/ \(\d+(\.\d+)?(ns|µs|us|ms|s|m)\)/g, "").split("\n").sort();
}

for (const dir of POLICIES) {
  Deno.test(`km's OPA builds ${dir} to opa build's wasm and plan bundles, byte for byte`, async () => {
    await staged(dir, async (policy, caps) => {
      for (const target of ["wasm", "plan"] as const) {
        const ours = await buildBundle(target, [policy], {
          compiler: WASM_COMPILER,
          capabilities: caps,
        });
        const theirs = await buildBundle(target, [policy], { opa: OPA, capabilities: caps });
        ok(ours.length > 0);
        equal(
          ours.length,
          theirs.length,
          `${target}: ${ours.length} bytes, opa's ${theirs.length}`,
        );
        ok(ours.every((b, i) => b === theirs[i]), `${target}: the bundles differ`);
      }
    });
  });

  Deno.test(`km policy test ${dir} reports the same on km's OPA as on opa`, async () => {
    const { ours, theirs } = await bothWays(["test", `${ROOT}${dir}`]);
    equal(ours.code, 0, ours.out + ours.err);
    equal(ours.code, theirs.code);
    ok(/^data\.\S+: PASS \(/m.test(ours.out), ours.out);
    assertEquals(comparable(ours.out), comparable(theirs.out));
    equal(ours.err, theirs.err);
  });
}

Deno.test("km policy test reports a failing test and a failing case alike on both", async () => {
  const files = {
    "p.rego": [
      "package kilometers",
      'deny contains "big" if input.n > 10',
      "level := 1 if input.a",
      "level := 2 if input.b",
      'labels contains "leveled" if level',
    ].join("\n"),
    "p_test.rego": [
      "package kilometers",
      'test_big_denied if decision.action == "deny" with input as {"n": 11}',
      'test_wrong if decision.action == "deny" with input as {"n": 1}',
    ].join("\n"),
    "cases.json": JSON.stringify([
      { note: "small is allowed", input: { n: 1 }, want: { action: "allow" } },
      { note: "a conflict fails", input: { a: true, b: true }, want: {} },
    ]),
  };
  await withFiles(files, async (dir) => {
    const { ours, theirs } = await bothWays(["test", dir]);
    equal(ours.code, 1, ours.out + ours.err);
    equal(theirs.code, 1);
    ok(ours.out.includes("data.kilometers.test_wrong: FAIL"), ours.out);
    ok(ours.out.includes("FAIL a conflict fails"), ours.out);
    ok(ours.out.includes(`${dir}/p.rego`), "OPA's messages name the author's file");
    assertEquals(comparable(ours.out), comparable(theirs.out));
  });
});

Deno.test("a policy that does not parse: km's OPA names the author's file and line, as opa", async () => {
  const files = {
    "ok.rego": 'package kilometers\ndeny contains "x" if input.x',
    "bad.rego": "package kilometers\ndecision := {",
  };
  await withFiles(files, async (dir) => {
    const { ours, theirs } = await bothWays(["build", dir, "-o", `${dir}/out.tar.gz`]);
    equal(ours.code, 2);
    ok(ours.err.includes(`${dir}/bad.rego:2: rego_parse_error: unexpected eof token`), ours.err);
    ok(!/km-build-/.test(ours.err), `no scratch path: ${ours.err}`);
    equal(ours.err, theirs.err);
  });
});

Deno.test("a built-in outside km's capabilities is refused when built, as opa refuses it", async () => {
  const files = {
    "p.rego": [
      "package kilometers",
      "",
      'deny contains "fetched" if {',
      '\thttp.send({"method": "GET", "url": "https://example.com"}).status_code == 200',
      "}",
    ].join("\n"),
  };
  await withFiles(files, async (dir) => {
    const { ours, theirs } = await bothWays(["build", dir, "-o", `${dir}/out.tar.gz`]);
    equal(ours.code, 2);
    ok(
      ours.err.includes(`${dir}/p.rego:4: rego_type_error: undefined function http.send`),
      ours.err,
    );
    ok(ours.err.includes("may only call the built-ins listed in"), ours.err);
    equal(ours.err, theirs.err);
  });
});

Deno.test("compilePolicy's error on km's OPA is opa build's, word for word", async () => {
  const files = { "p.rego": 'package kilometers\ndeny contains x if x := sprintf("%s", ["a"])' };
  await withFiles(files, async (dir) => {
    const failure = async (options: Parameters<typeof compilePolicy>[1]) => {
      let caught: KmError | undefined;
      await rejects(compilePolicy([dir], options), (e: unknown) => {
        ok(e instanceof KmError);
        caught = e;
        return true;
      });
      return { code: caught!.code, message: caught!.message, hint: caught!.hint };
    };
    const ours = await failure({ compiler: WASM_COMPILER });
    equal(ours.code, "POLICY_COMPILE_FAILED");
    ok(ours.message.includes(`${dir}/p.rego:2: rego_type_error: undefined function sprintf`));
    assertEquals(ours, await failure({ opa: OPA }));
  });
});

Deno.test("the revision and input use of a directory do not depend on the compiler", async () => {
  const dir = `${ROOT}policies/examples/rate-limit`;
  const ours = await withCompilerEnv(undefined, () => buildDirectory(dir));
  const theirs = await buildDirectory(dir, { opa: OPA });
  equal(ours.revision, theirs.revision);
  assertEquals(ours.inputUse, theirs.inputUse);
});

/** km from source, forbidden to run any `opa` (none at all when `denyAll`), KM_POLICY_COMPILER unset. */
function kmWithoutOpa(args: string[], denyAll: boolean): Deno.Command {
  const name = opaExecutableName(Deno.build.os);
  const path = (Deno.env.get("PATH") ?? "").split(":").filter((d) => {
    try {
      return !Deno.statSync(`${d}/${name}`).isFile;
    } catch {
      return true;
    }
  });
  const deny = denyAll ? "--deny-run" : `--deny-run=${name},${toolsBinDir()}/${name},${OPA}`;
  const env: Record<string, string> = { ...Deno.env.toObject(), PATH: path.join(":") };
  delete env[COMPILER_ENV];
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...KM_DENO_FLAGS, deny, KM_MAIN, ...args],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("km policy build, km policy test and km monitor --policy work with no opa to run", async () => {
  const dir = `${ROOT}policies/examples/block-tool`;
  const work = await Deno.makeTempDir({ prefix: "km-no-opa-" });
  const dec = new TextDecoder();
  try {
    const build = await kmWithoutOpa(["policy", "build", dir, "-o", `${work}/b.tar.gz`], true)
      .output();
    equal(build.code, 0, dec.decode(build.stderr));
    const { revision } = await buildDirectory(dir, { opa: OPA });
    ok(dec.decode(build.stdout).includes(`revision ${revision}`), dec.decode(build.stdout));

    const test = await kmWithoutOpa(["policy", "test", dir], true).output();
    equal(test.code, 0, dec.decode(test.stdout) + dec.decode(test.stderr));
    ok(
      /^PASS: opa test \d+ passed, 0 failed; cases \d+ passed, 0 failed/m.test(
        dec.decode(test.stdout),
      ),
    );

    const monitor = await kmWithoutOpa([
      "monitor",
      "--policy",
      dir,
      "--quiet",
      "--log-dir",
      `${work}/logs`,
      "--data-dir",
      `${work}/data`,
      "--",
      "node",
      "-e",
      "process.stdin.resume()",
    ], false).output();
    equal(monitor.code, 0, dec.decode(monitor.stderr));
    const logs = [...Deno.readDirSync(`${work}/logs`)].filter((e) => e.name.endsWith(".jsonl"));
    equal(logs.length, 1);
    const log = Deno.readTextFileSync(`${work}/logs/${logs[0].name}`);
    ok(log.includes(`"revision":"${revision}"`), log);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
