/**
 * Which OPA compiles and tests policies, and running it. By default km's own: OPA built to
 * WebAssembly and run in-process (opa_wasm.ts), so no `opa` executable is needed. An `opa`
 * executable is used only when asked for: by a caller (an `opa` option), or by the environment
 * variable `KM_POLICY_COMPILER` (`opa`: the one findOpa finds, in .tools/bin then on PATH; or
 * the path of an executable). Both take the same command lines and give the same output.
 */
import { KmError } from "../../errors.ts";
import { findOpa, type OpaLookup, systemOpaLookup } from "./find_opa.ts";
import { type OpaRun, runOpaWasm } from "./opa_wasm.ts";

/** OPA in-process, or an `opa` executable at `path`. */
export type PolicyCompiler = { readonly kind: "wasm" } | {
  readonly kind: "opa";
  readonly path: string;
};

/** The environment variable that asks for an `opa` executable. */
export const COMPILER_ENV = "KM_POLICY_COMPILER";

/** km's in-process compiler. */
export const WASM_COMPILER: PolicyCompiler = { kind: "wasm" };

/**
 * The compiler to use: the executable `opaPath` when given; else what `KM_POLICY_COMPILER` asks
 * for (unset, empty or `wasm`: in-process; `opa`: the executable findOpa finds; anything else:
 * the path of an executable). Throws POLICY_COMPILER_NOT_FOUND when `opa` is asked for and
 * there is none, naming `what` (e.g. the policy directory).
 */
export function chooseCompiler(
  what: string,
  opaPath?: string,
  lookup: OpaLookup = systemOpaLookup(),
): PolicyCompiler {
  if (opaPath !== undefined) return { kind: "opa", path: opaPath };
  const asked = lookup.env(COMPILER_ENV) ?? "";
  if (asked === "" || asked === "wasm") return WASM_COMPILER;
  if (asked !== "opa") return { kind: "opa", path: asked };
  const found = findOpa(lookup);
  if (!found) {
    throw new KmError(
      "POLICY_COMPILER_NOT_FOUND",
      `Cannot compile ${what}: ${COMPILER_ENV}=opa, but no opa executable was found ` +
        `(in .tools/bin or on PATH)`,
      "install it (deno run -A scripts/install_opa.ts), or unset KM_POLICY_COMPILER to use " +
        "km's own compiler",
    );
  }
  return { kind: "opa", path: found };
}

/** A run's input: the command line (no program name) and the paths it reads. */
export interface CompilerRequest {
  readonly args: readonly string[];
  /**
   * Files and directories the command reads (absolute, or relative to `cwd`). The executable
   * reads them itself; km's compiler is handed their contents and sees nothing else.
   */
  readonly reads: readonly string[];
  /** The working directory; default: km's. */
  readonly cwd?: string;
}

/**
 * Runs `compiler` on `request`. Throws POLICY_COMPILER_NOT_FOUND when the executable or the
 * WebAssembly module is missing.
 */
export async function runCompiler(
  compiler: PolicyCompiler,
  request: CompilerRequest,
): Promise<OpaRun> {
  const cwd = request.cwd ?? Deno.cwd();
  if (compiler.kind === "wasm") {
    const files = new Map<string, Uint8Array>();
    for (const path of request.reads) await readInto(absolute(path, cwd), files);
    return await runOpaWasm({ args: request.args, files, cwd, env: Deno.env.toObject() });
  }
  try {
    const result = await new Deno.Command(compiler.path, {
      args: [...request.args],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new KmError(
      "POLICY_COMPILER_NOT_FOUND",
      `Cannot compile policies: the OPA compiler "${compiler.path}" was not found`,
      "run: deno run -A scripts/install_opa.ts (installs the pinned opa into .tools/bin), or " +
        `unset ${COMPILER_ENV} to use km's own compiler`,
    );
  }
}

/** `path` made absolute against `cwd`, with `/` separators. */
export function absolute(path: string, cwd: string): string {
  const p = path.replaceAll("\\", "/");
  const isAbsolute = p.startsWith("/") || /^[A-Za-z]:\//.test(p);
  const joined = isAbsolute ? p : `${cwd.replaceAll("\\", "/").replace(/\/+$/, "")}/${p}`;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * Adds the file at `path`, or every file under the directory at `path`, to `files`. A missing
 * path adds nothing (the compiler then says it is missing, as `opa` would). A symbolic link to a
 * file is read; one to a directory is not followed, as OPA's loader does not follow it.
 */
async function readInto(path: string, files: Map<string, Uint8Array>): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info) return;
  if (info.isFile) {
    files.set(path, await Deno.readFile(path));
    return;
  }
  if (!info.isDirectory) return;
  for await (const entry of Deno.readDir(path)) {
    const child = `${path === "/" ? "" : path}/${entry.name}`;
    if (entry.isDirectory) await readInto(child, files);
    else if (entry.isFile || entry.isSymlink) {
      const target = await Deno.stat(child).catch(() => undefined);
      if (target?.isFile) files.set(child, await Deno.readFile(child));
    }
  }
}
