/**
 * The worker a run of the OPA compiler (opa_wasm.ts) happens in: the guest runs synchronously
 * until it exits, so it gets a thread of its own and never holds up the one relaying messages.
 * It receives the compiled module, the command line and the files, and answers with the run.
 */
import { memoryTree } from "../../wasi/memory_fs.ts";
import { runWasi } from "../../wasi/wasi_host.ts";

/** What opa_wasm.ts sends. */
export interface WorkerRequest {
  readonly module: WebAssembly.Module;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly files: readonly (readonly [string, Uint8Array])[];
}

/** What the worker answers: the run, or why the guest could not run. */
export type WorkerReply =
  | { readonly exitCode: number; readonly stdout: Uint8Array; readonly stderr: Uint8Array }
  | { readonly error: string };

/** Runs one request; pure apart from the guest's clock and random bytes. */
export function handle(request: WorkerRequest): WorkerReply {
  try {
    const root = memoryTree(new Map(request.files));
    const run = runWasi(request.module, {
      args: request.args,
      env: request.env,
      preopens: { "/": root },
    });
    return run;
  } catch (error) {
    return { error: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
}

// Only when loaded as a worker (there is no `document` and `postMessage` is the worker's own).
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
    postMessage(message: WorkerReply, transfer?: Transferable[]): void;
  };
  scope.onmessage = (event) => {
    const reply = handle(event.data);
    const transfer = "error" in reply ? [] : [reply.stdout.buffer, reply.stderr.buffer];
    scope.postMessage(reply, transfer as Transferable[]);
  };
}
