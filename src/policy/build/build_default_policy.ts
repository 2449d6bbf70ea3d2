/**
 * Building the default policy reproducibly: the same sources, file names and capabilities in a
 * scratch directory give the same bundle bytes, so its hash can be checked in CI.
 */
import capabilities from "../../../policies/capabilities.json" with { type: "json" };
import { compilePolicy, planPolicy } from "./compile.ts";
import { KM_ROOT } from "./find_opa.ts";
import { FRAMEWORK_FILE, FRAMEWORK_REGO } from "./framework.ts";
import { sha256Hex } from "../../sha256.ts";
import { type InputUse, inputUseOf } from "./input_use.ts";

/** Where the default policy's Rego lives. */
export const DEFAULT_POLICY_REGO = `${KM_ROOT}policies/default/policy.rego`;

/**
 * Compiles the default policy; returns the bundle, its sha256 (hex) and what it reads. `opa`: an
 * `opa` executable to compile with instead of km's own OPA (the bundle is the same).
 */
export async function buildDefaultPolicy(
  opa?: string,
): Promise<{ bytes: Uint8Array; sha256: string; inputUse: InputUse }> {
  const work = await Deno.makeTempDir({ prefix: "km-default-policy-" });
  const cwd = Deno.cwd();
  try {
    await Deno.mkdir(`${work}/src`);
    await Deno.writeTextFile(`${work}/src/${FRAMEWORK_FILE}`, FRAMEWORK_REGO);
    await Deno.copyFile(DEFAULT_POLICY_REGO, `${work}/src/policy.rego`);
    await Deno.writeTextFile(`${work}/capabilities.json`, JSON.stringify(capabilities));
    // Relative paths: the bundle records source file names, which must not depend on `work`.
    Deno.chdir(work);
    const build = { opa, capabilities: "capabilities.json" };
    const bytes = await compilePolicy(["src"], build);
    const inputUse = inputUseOf(await planPolicy(["src"], build));
    return { bytes, sha256: sha256Hex(bytes), inputUse };
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
