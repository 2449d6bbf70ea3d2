// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * Builds km's OPA compiler (tools/opa-wasm, OPA OPA_VERSION for GOOS=wasip1) into
 * `<repo>/.tools/opa-wasm/opa-<version>.wasm`, where km looks for it (src/policy/build/opa_wasm.ts).
 * Idempotent: a stamp beside the module records the hash of what built it (the OPA version, the
 * Go toolchain's version and tools/opa-wasm's sources), and a second run with the same ones only
 * checks it. Needs Go; the module is not committed.
 *
 *   deno run -A scripts/build_opa_wasm.ts
 */
import { KM_ROOT } from "../src/policy/build/find_opa.ts";
import { OPA_VERSION } from "../src/policy/build/opa_version.ts";
import { opaWasmDir, opaWasmPath } from "../src/policy/build/opa_wasm.ts";
import { sha256Hex } from "../src/sha256.ts";

const SOURCE_DIR = `${KM_ROOT}tools/opa-wasm`;

/** What identifies a build: its inputs, hashed. */
async function buildKey(goVersion: string): Promise<string> {
  const names = [];
  for await (const entry of Deno.readDir(SOURCE_DIR)) {
    if (entry.isFile && /\.go$|^go\.(mod|sum)$/.test(entry.name)) names.push(entry.name);
  }
  const enc = new TextEncoder();
  const parts = [enc.encode(`opa ${OPA_VERSION}\n${goVersion}\n`)];
  for (const name of names.sort()) {
    parts.push(enc.encode(`\n${name}\n`), await Deno.readFile(`${SOURCE_DIR}/${name}`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) (all.set(part, at), at += part.length);
  return sha256Hex(all);
}

async function goVersion(): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("go", { args: ["version"], stderr: "inherit" }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `Cannot build km's OPA compiler: the Go toolchain ("go") was not found on PATH.\n` +
        `Install Go (https://go.dev/doc/install) and run this script again, or compile policies ` +
        `with an opa executable (KM_POLICY_COMPILER=opa, see docs/policy.md).`,
    );
  }
  if (!output.success) throw new Error(`go version failed with exit code ${output.code}`);
  return new TextDecoder().decode(output.stdout).trim();
}

/** Ensures the module is built from the current sources and returns its path. */
export async function buildOpaWasm(): Promise<string> {
  const wasm = opaWasmPath();
  const stamp = `${wasm}.stamp`;
  const key = await buildKey(await goVersion());
  const built = await Deno.readTextFile(stamp).catch(() => undefined);
  const present = await Deno.stat(wasm).then((s) => s.isFile, () => false);
  if (present && built?.trim() === key) {
    console.error(`build_opa_wasm: ${wasm} is up to date`);
    return wasm;
  }
  await Deno.mkdir(opaWasmDir(), { recursive: true });
  console.error(
    `build_opa_wasm: building OPA ${OPA_VERSION} for wasip1; this takes about a minute`,
  );
  const tmp = `${wasm}.tmp`;
  const { code } = await new Deno.Command("go", {
    args: ["build", "-trimpath", "-ldflags=-s -w", "-o", tmp, "."],
    cwd: SOURCE_DIR,
    env: { GOOS: "wasip1", GOARCH: "wasm", CGO_ENABLED: "0" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`go build in ${SOURCE_DIR} failed with exit code ${code}`);
  await Deno.rename(tmp, wasm);
  await Deno.writeTextFile(stamp, `${key}\n`);
  const size = (await Deno.stat(wasm)).size;
  console.error(`build_opa_wasm: built ${wasm} (${(size / 1048576).toFixed(1)} MiB)`);
  return wasm;
}

if (import.meta.main) {
  try {
    await buildOpaWasm();
  } catch (error) {
    console.error(`build_opa_wasm: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
