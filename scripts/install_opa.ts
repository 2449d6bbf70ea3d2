// deno-lint-ignore-file no-console -- a developer script, not part of km: it talks to people.
/**
 * Puts the pinned OPA compiler (OPA_VERSION) at `<repo>/.tools/bin/opa`, building it with
 * `go install` when it is missing or another version. Idempotent: a second run only checks.
 *
 *   deno run -A scripts/install_opa.ts
 *
 * km does not need it: it compiles policies with its own OPA built to WebAssembly
 * (scripts/build_opa_wasm.ts). The tests compare that compiler with this `opa`, and a user can ask
 * km to compile with an `opa` executable instead (KM_POLICY_COMPILER=opa, docs/policy.md).
 */
import { KM_ROOT, opaExecutableName, toolsBinDir } from "../src/policy/build/find_opa.ts";
import { OPA_VERSION } from "../src/policy/build/opa_version.ts";

const MODULE = "github.com/open-policy-agent/opa";

/** The version `opa version` reports, or undefined when `bin` is missing or does not run. */
async function installedVersion(bin: string): Promise<string | undefined> {
  try {
    const { code, stdout } = await new Deno.Command(bin, { args: ["version"], stderr: "null" })
      .output();
    if (code !== 0) return undefined;
    return /^Version:\s*(\S+)/m.exec(new TextDecoder().decode(stdout))?.[1];
  } catch {
    return undefined;
  }
}

async function goInstall(binDir: string): Promise<void> {
  const target = `${MODULE}@v${OPA_VERSION}`;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("go", {
      args: ["install", target],
      env: { GOBIN: binDir },
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `Cannot build OPA ${OPA_VERSION}: the Go toolchain ("go") was not found on PATH.\n` +
        `Install Go (https://go.dev/doc/install) and run this script again, put an opa ` +
        `v${OPA_VERSION} binary on PATH or in ${binDir}, or give km a policy bundle built ` +
        `elsewhere (opa build -t wasm -e kilometers/decision ...).`,
    );
  }
  console.error(`install_opa: go install ${target} (GOBIN=${binDir}); this takes about a minute`);
  const status = await child.status;
  if (!status.success) throw new Error(`go install ${target} failed with exit code ${status.code}`);
}

/** Ensures the pinned opa is installed and returns its path. */
export async function installOpa(root: string = KM_ROOT): Promise<string> {
  const binDir = toolsBinDir(root);
  const bin = `${binDir}/${opaExecutableName(Deno.build.os)}`;
  const before = await installedVersion(bin);
  if (before === OPA_VERSION) {
    console.error(`install_opa: ${bin} is OPA ${OPA_VERSION} already`);
    return bin;
  }
  if (before) console.error(`install_opa: ${bin} is OPA ${before}, replacing it`);
  await Deno.mkdir(binDir, { recursive: true });
  await goInstall(binDir);
  const after = await installedVersion(bin);
  if (after !== OPA_VERSION) {
    throw new Error(
      `After go install, ${bin} reports version ${after ?? "(none)"}, ` +
        `expected ${OPA_VERSION}`,
    );
  }
  console.error(`install_opa: installed OPA ${OPA_VERSION} at ${bin}`);
  return bin;
}

if (import.meta.main) {
  try {
    await installOpa();
  } catch (error) {
    console.error(`install_opa: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
