/**
 * The worker OPA's compiler runs in (opa_wasm.ts): it compiles the module once, on its first
 * request, and runs each request on a fresh instance, synchronously until the guest exits, on a
 * thread of its own that never holds up the one relaying messages. Ending the worker frees the
 * module and all V8 made of it.
 */
import { memoryTree } from "../../wasi/memory_fs.ts";
import { runWasi } from "../../wasi/wasi_host.ts";

/** One run: the command line (program name first), the environment and the files. */
export interface WorkerRun {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly (readonly [string, Uint8Array])[];
}

/** What opa_wasm.ts sends: a run, and the module (bytes, or its file) to run it on. */
export interface WorkerRequest {
  readonly id: number;
  readonly source: Uint8Array | string;
  readonly run: WorkerRun;
}

/** What the worker answers for request `id`: the run, or why the guest could not run. */
export type WorkerReply =
  & { readonly id: number }
  & (
    | { readonly exitCode: number; readonly stdout: Uint8Array; readonly stderr: Uint8Array }
    | { readonly error: string }
  );

/** Runs `run` on `module`; pure apart from the guest's clock and random bytes. */
export function runOn(
  module: WebAssembly.Module,
  run: WorkerRun,
): { exitCode: number; stdout: Uint8Array; stderr: Uint8Array } {
  const root = memoryTree(new Map(run.files));
  return runWasi(module, { args: run.args, env: run.env, preopens: { "/": root } });
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  try {
    compiled ??= (async () => {
      const { source } = request;
      const bytes = typeof source === "string" ? await Deno.readFile(source) : source;
      return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    })();
    return { id: request.id, ...runOn(await compiled, request.run) };
  } catch (error) {
    const error_ = error instanceof Error ? error.stack ?? error.message : String(error);
    return { id: request.id, error: error_ };
  }
}

// Only when loaded as a worker.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerReply, transfer?: Transferable[]): void;
  };
  scope.onmessage = async (event) => {
    const reply = await handle(event.data);
    const transfer = "error" in reply ? [] : [reply.stdout.buffer, reply.stderr.buffer];
    scope.postMessage(reply, transfer as Transferable[]);
  };
}
