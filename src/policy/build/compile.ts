/**
 * Compiles Rego to a WASM bundle with OPA's compiler (`opa build -t wasm`), or plans it
 * (`-t plan`) to see what it reads: km's own, run in-process, or an `opa` executable when asked
 * for (policy_compiler.ts). This is the edge that runs the compiler; everything after it works on
 * the bundle's bytes.
 */
import { KM_ROOT } from "./find_opa.ts";
import { KmError } from "../../errors.ts";
import { DECISION_ENTRYPOINT } from "../wasm/wasm_host.ts";
import { gunzip } from "./bundle.ts";
import { readTar } from "./tar.ts";
import { chooseCompiler, type PolicyCompiler, runCompiler } from "./policy_compiler.ts";

/** km's capabilities file: OPA's WASM-native built-ins plus km's (see gen_capabilities.ts). */
export const CAPABILITIES_PATH = `${KM_ROOT}policies/capabilities.json`;

/** How to compile. */
export interface CompileOptions {
  /** The compiler; default: `chooseCompiler` (km's own unless KM_POLICY_COMPILER asks for opa). */
  compiler?: PolicyCompiler;
  /** An `opa` executable to compile with instead (see `findOpa`); ignored when `compiler` is set. */
  opa?: string;
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
  options: CompileOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  return buildBundle("wasm", paths, options);
}

/**
 * The same build as `compilePolicy`, planned only: OPA's intermediate representation (the
 * `plan.json` of `opa build -t plan`), from which `inputUseOf` reads what the policy uses.
 */
export async function planPolicy(paths: string[], options: CompileOptions = {}): Promise<unknown> {
  const bundle = await buildBundle("plan", paths, options);
  const plan = readTar(await gunzip(bundle)).find((e) => /^\/?plan\.json$/.test(e.name));
  if (!plan) throw new Error("opa build -t plan wrote no plan.json");
  return JSON.parse(new TextDecoder().decode(plan.bytes));
}

/** The bundle (`.tar.gz`) of `opa build -t <target>` on `paths`, as `compilePolicy` builds it. */
export async function buildBundle(
  target: "wasm" | "plan",
  paths: string[],
  options: CompileOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const compiler = options.compiler ??
    chooseCompiler(`policy ${paths.map((p) => `"${p}"`).join(", ")}`, options.opa);
  const capabilities = options.capabilities ?? CAPABILITIES_PATH;
  const entrypoint = options.entrypoint ?? DECISION_ENTRYPOINT;
  const args = ["build", "-t", target, "-e", entrypoint, "--capabilities", capabilities, ...paths];
  const reads = [capabilities, ...paths];
  if (compiler.kind === "wasm") {
    // km's compiler writes the bundle to its standard output.
    const run = await runCompiler(compiler, { args, reads });
    if (run.code !== 0) throw compileFailed(paths, capabilities, run);
    return new Uint8Array(run.stdout);
  }
  const dir = await Deno.makeTempDir({ prefix: "km-policy-" });
  try {
    const out = `${dir}/bundle.tar.gz`;
    const run = await runCompiler(compiler, { args: [...args, "-o", out], reads });
    if (run.code !== 0) throw compileFailed(paths, capabilities, run);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function compileFailed(
  paths: string[],
  capabilities: string,
  run: { code: number; stdout: Uint8Array; stderr: Uint8Array },
): KmError {
  const dec = new TextDecoder();
  const said = (dec.decode(run.stderr) + dec.decode(run.stdout)).trim();
  return new KmError(
    "POLICY_COMPILE_FAILED",
    `Cannot compile policy ${paths.map((p) => `"${p}"`).join(", ")}: ` +
      `opa build exited with code ${run.code}\n${said}`,
    said.includes("undefined function")
      ? `km policies may only call the built-ins listed in ${capabilities}`
      : undefined,
  );
}
