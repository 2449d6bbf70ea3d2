/**
 * OPA's compiler built to WebAssembly (tools/opa-wasm, built by scripts/build_opa_wasm.ts), run
 * inside km so that compiling and testing Rego needs no `opa` executable and no Go. Loaded
 * lazily: nothing is read or compiled until a policy directory is compiled, so `km monitor` with
 * a cached or embedded policy pays nothing. The module is compiled and run in a worker
 * (opa_wasm_worker.ts), off the thread that relays messages, in a WASI host that sees only the
 * files it is handed. The worker serves the runs that follow within KEEP_COMPILED_MS (V8 has
 * optimised the compiler by then), and is ended after that: ending it frees everything V8 made of
 * the module at once, where a module kept on km's own thread would wait for a garbage collection
 * that an idle `km monitor` may not run for hours.
 *
 * Where the module comes from, the first that applies:
 * 1. `useOpaWasm(bytes or path)`, for a package that ships the module (or embeds its bytes);
 * 2. the environment variable `KM_OPA_WASM`, a path to the module;
 * 3. `<km root>/.tools/opa-wasm/opa-<OPA_VERSION>.wasm`, where `deno task setup` builds it.
 *
 * The worker's module is opa_wasm_worker.ts beside this file, unless a bundle of km, which ships
 * the worker as a file of its own, names it with `useOpaWasmWorker`.
 */
import { KmError } from "../../errors.ts";
import { KM_ROOT } from "./find_opa.ts";
import { OPA_VERSION } from "./opa_version.ts";
import type { WorkerReply, WorkerRequest, WorkerRun } from "./opa_wasm_worker.ts";

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

/**
 * How long the worker (and the compiled module) outlives its last run: long enough for the runs of
 * one command (`km policy test` makes several, `km monitor` a build and a plan), short enough
 * that a long-lived `km monitor` does not keep the compiler (a few hundred MB once V8 has compiled
 * it) after compiling its policy.
 */
export const KEEP_COMPILED_MS = 3_000;

let chosen: OpaWasmSource | undefined;
let workerModule: string | undefined;

/** The worker serving runs of one module, the runs it owes, and the timer that ends it. */
interface Session {
  readonly source: OpaWasmSource;
  readonly worker: Worker;
  readonly pending: Map<number, { resolve(run: OpaRun): void; reject(error: Error): void }>;
  nextId: number;
  idle?: ReturnType<typeof setTimeout>;
}

let session: Session | undefined;

/**
 * Makes `source` (the module's bytes, or the path of its file) the module km compiles policies
 * with, ahead of `KM_OPA_WASM` and `.tools`. For a package that ships the module. `undefined`
 * goes back to the lookup.
 */
export function useOpaWasm(source: OpaWasmSource | undefined): void {
  chosen = source;
}

/**
 * Makes `url` the module the compiler's worker runs, instead of opa_wasm_worker.ts beside this
 * file: for a bundle of km, where that file does not exist. `undefined` goes back to it.
 */
export function useOpaWasmWorker(url: string | URL | undefined): void {
  workerModule = url === undefined ? undefined : String(url);
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
 * Runs the compiler once on `request`, in the worker. Throws KmError POLICY_COMPILER_NOT_FOUND
 * when the module's file is missing, naming where it was looked for and how to build it.
 */
export async function runOpaWasm(
  request: OpaWasmRequest,
  source: OpaWasmSource = opaWasmSource(),
): Promise<OpaRun> {
  if (typeof source === "string" && !(await Deno.stat(source).catch(() => undefined))) {
    throw new KmError(
      "POLICY_COMPILER_NOT_FOUND",
      `Cannot compile policies: km's OPA compiler (WebAssembly) is not at "${source}"`,
      `build it with: deno task setup (or: deno run -A scripts/build_opa_wasm.ts); ` +
        `or compile with an opa executable: KM_POLICY_COMPILER=opa`,
    );
  }
  const s = sessionFor(source);
  clearTimeout(s.idle);
  s.idle = undefined;
  const id = s.nextId++;
  const run: WorkerRun = {
    args: ["opa", ...request.args],
    env: { ...request.env, PWD: request.cwd },
    files: [...request.files],
  };
  const done = new Promise<OpaRun>((resolve, reject) => s.pending.set(id, { resolve, reject }));
  const message: WorkerRequest = { id, source, run };
  s.worker.postMessage(message);
  return await done;
}

/** The session for `source`: the current one, or a new worker (ending one for another source). */
function sessionFor(source: OpaWasmSource): Session {
  if (session?.source === source) return session;
  if (session) end(session, new Error("the OPA compiler's module was changed"));
  const url = workerModule ?? new URL("./opa_wasm_worker.ts", import.meta.url).href;
  const worker = new Worker(url, { type: "module" });
  const s: Session = { source, worker, pending: new Map(), nextId: 0 };
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    const reply = event.data;
    const waiting = s.pending.get(reply.id);
    s.pending.delete(reply.id);
    if ("error" in reply) {
      waiting?.reject(new Error(`the OPA compiler (WebAssembly) failed: ${reply.error}`));
    } else {
      waiting?.resolve({ code: reply.exitCode, stdout: reply.stdout, stderr: reply.stderr });
    }
    if (s.pending.size === 0 && session === s) {
      s.idle = setTimeout(() => end(s), KEEP_COMPILED_MS);
      // A `deno run` that does not exit by itself ends after this, not on it: km's main exits.
      Deno.unrefTimer(s.idle as unknown as number);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    end(s, new Error(`the OPA compiler's worker failed: ${event.message}`));
  };
  session = s;
  return s;
}

/** Ends the worker of `s`, failing what it still owes with `error`. */
function end(s: Session, error?: Error): void {
  clearTimeout(s.idle);
  s.worker.terminate();
  if (session === s) session = undefined;
  for (const { reject } of s.pending.values()) {
    reject(error ?? new Error("the OPA compiler's worker was ended"));
  }
  s.pending.clear();
}
