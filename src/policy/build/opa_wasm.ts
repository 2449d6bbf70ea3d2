/**
 * OPA's compiler built to WebAssembly (tools/opa-wasm, built by scripts/build_opa_wasm.ts), run
 * inside km so that compiling and testing Rego needs no `opa` executable and no Go. Loaded
 * lazily: nothing is read or compiled until a policy directory is compiled, so `km monitor` with
 * a cached or embedded policy pays nothing. Each run happens in a worker (opa_wasm_worker.ts),
 * off the thread that relays messages, in a WASI host that sees only the files it is handed.
 *
 * Where the module comes from, the first that applies:
 * 1. `useOpaWasm(bytes or path)`, for a package that ships the module (or embeds its bytes);
 * 2. the environment variable `KM_OPA_WASM`, a path to the module;
 * 3. `<km root>/.tools/opa-wasm/opa-<OPA_VERSION>.wasm`, where `deno task setup` builds it.
 */
import { KmError } from "../../errors.ts";
import { KM_ROOT } from "./find_opa.ts";
import { OPA_VERSION } from "./opa_version.ts";
import type { WorkerReply, WorkerRequest } from "./opa_wasm_worker.ts";

/** The module's bytes, or the path of its file. */
export type OpaWasmSource = Uint8Array | string;

/** The environment variable that names the module's file. */
export const OPA_WASM_ENV = "KM_OPA_WASM";

/** `<root>/.tools/opa-wasm`, where scripts/build_opa_wasm.ts writes the module. */
export function opaWasmDir(root: string = KM_ROOT): string {
  return `${root.replace(/[\\/]+$/, "")}/.tools/opa-wasm`;
}

/** The file the build writes for `version`: `<root>/.tools/opa-wasm/opa-<version>.wasm`. */
export function opaWasmPath(root: string = KM_ROOT, version: string = OPA_VERSION): string {
  return `${opaWasmDir(root)}/opa-${version}.wasm`;
}

let chosen: OpaWasmSource | undefined;
let compiled: { source: OpaWasmSource; module: Promise<WebAssembly.Module> } | undefined;

/**
 * Makes `source` (the module's bytes, or the path of its file) the module km compiles policies
 * with, ahead of `KM_OPA_WASM` and `.tools`. For a package that ships the module. `undefined`
 * goes back to the lookup.
 */
export function useOpaWasm(source: OpaWasmSource | undefined): void {
  chosen = source;
}

/** Where the module comes from now, in the order above (`env` reads the environment). */
export function opaWasmSource(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
  root: string = KM_ROOT,
): OpaWasmSource {
  return chosen ?? (env(OPA_WASM_ENV) || opaWasmPath(root));
}

/** What a run of the compiler left: its exit code and what it wrote. */
export interface OpaRun {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

/** A run's input: the command line (without a program name) and what it may read. */
export interface OpaWasmRequest {
  readonly args: readonly string[];
  /** Files by absolute path: the guest's whole file system. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The working directory relative paths in `args` are taken from (absolute). */
  readonly cwd: string;
  /** The guest's environment (besides `PWD`, which is `cwd`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs the compiler once on `request`, in a worker. Throws KmError POLICY_COMPILER_NOT_FOUND
 * when the module cannot be read, naming where it was looked for and how to build it.
 */
export async function runOpaWasm(
  request: OpaWasmRequest,
  source: OpaWasmSource = opaWasmSource(),
): Promise<OpaRun> {
  const module = await compiledModule(source);
  const worker = new Worker(new URL("./opa_wasm_worker.ts", import.meta.url).href, {
    type: "module",
  });
  try {
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<WorkerReply>) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`the OPA compiler's worker failed: ${event.message}`));
      };
      const message: WorkerRequest = {
        module,
        args: ["opa", ...request.args],
        env: { ...request.env, PWD: request.cwd },
        files: [...request.files],
      };
      worker.postMessage(message);
    });
    if ("error" in reply) throw new Error(`the OPA compiler (WebAssembly) failed: ${reply.error}`);
    return { code: reply.exitCode, stdout: reply.stdout, stderr: reply.stderr };
  } finally {
    worker.terminate();
  }
}

/** The compiled module for `source`, compiled once per source and kept for later runs. */
function compiledModule(source: OpaWasmSource): Promise<WebAssembly.Module> {
  if (compiled?.source !== source) {
    const module = readSource(source).then((bytes) => WebAssembly.compile(bytes));
    compiled = { source, module };
    // A failed read is not kept: the next compile looks again (e.g. after a setup).
    module.catch(() => {
      if (compiled?.module === module) compiled = undefined;
    });
  }
  return compiled.module;
}

async function readSource(source: OpaWasmSource): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof source !== "string") return new Uint8Array(source);
  try {
    return await Deno.readFile(source);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new KmError(
      "POLICY_COMPILER_NOT_FOUND",
      `Cannot compile policies: km's OPA compiler (WebAssembly) is not at "${source}"`,
      `build it with: deno task setup (or: deno run -A scripts/build_opa_wasm.ts); ` +
        `or compile with an opa executable: KM_POLICY_COMPILER=opa`,
    );
  }
}
