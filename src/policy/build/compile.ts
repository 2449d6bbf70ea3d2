/**
 * Compiles Rego to a WASM bundle with the real OPA compiler (`opa build -t wasm`), or plans it
 * (`-t plan`) to see what it reads. This is the
 * edge that runs a process; everything after it works on the bundle's bytes.
 */
import { KM_ROOT } from "./find_opa.ts";
import { KmError } from "../../errors.ts";
import { DECISION_ENTRYPOINT } from "../wasm/wasm_host.ts";
import { gunzip } from "./bundle.ts";
import { readTar } from "./tar.ts";

/** km's capabilities file: OPA's WASM-native built-ins plus km's (see gen_capabilities.ts). */
export const CAPABILITIES_PATH = `${KM_ROOT}policies/capabilities.json`;

/** How to compile. */
export interface CompileOptions {
  /** The `opa` executable (see `findOpa`). */
  opa: string;
  /** Default: CAPABILITIES_PATH. */
  capabilities?: string;
  /** Default: `kilometers/decision`. */
  entrypoint?: string;
}

/**
 * Compiles the Rego and data files at `paths` (files or directories, as `opa build` takes
 * them; note that every `.json`/`.yaml` file found becomes part of `data`) and returns the
 * bytes of the bundle (`.tar.gz`). Throws KmError POLICY_COMPILE_FAILED with OPA's
 * messages when OPA rejects the policy, for example for a built-in the capabilities lack.
 */
export function compilePolicy(
  paths: string[],
  options: CompileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  return opaBuild("wasm", paths, options);
}

/**
 * The same build as `compilePolicy`, planned only: OPA's intermediate representation (the
 * `plan.json` of `opa build -t plan`), from which `inputUseOf` reads what the policy uses.
 */
export async function planPolicy(paths: string[], options: CompileOptions): Promise<unknown> {
  const bundle = await opaBuild("plan", paths, options);
  const plan = readTar(await gunzip(bundle)).find((e) => /^\/?plan\.json$/.test(e.name));
  if (!plan) throw new Error("opa build -t plan wrote no plan.json");
  return JSON.parse(new TextDecoder().decode(plan.bytes));
}

async function opaBuild(
  target: "wasm" | "plan",
  paths: string[],
  options: CompileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const capabilities = options.capabilities ?? CAPABILITIES_PATH;
  const entrypoint = options.entrypoint ?? DECISION_ENTRYPOINT;
  const dir = await Deno.makeTempDir({ prefix: "km-policy-" });
  try {
    const out = `${dir}/bundle.tar.gz`;
    const args = ["build", "-t", target, "-e", entrypoint, "--capabilities", capabilities];
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command(options.opa, {
        args: [...args, ...paths, "-o", out],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new KmError(
        "POLICY_COMPILER_NOT_FOUND",
        `Cannot compile policies: the OPA compiler "${options.opa}" was not found`,
        "run: deno run -A scripts/install_opa.ts (installs the pinned opa into .tools/bin)",
      );
    }
    if (!result.success) {
      const dec = new TextDecoder();
      const said = (dec.decode(result.stderr) + dec.decode(result.stdout)).trim();
      throw new KmError(
        "POLICY_COMPILE_FAILED",
        `Cannot compile policy ${paths.map((p) => `"${p}"`).join(", ")}: ` +
          `opa build exited with code ${result.code}\n${said}`,
        said.includes("undefined function")
          ? `km policies may only call the built-ins listed in ${capabilities}`
          : undefined,
      );
    }
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
