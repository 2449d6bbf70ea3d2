/**
 * A compiled policy, prepared once and evaluated many times: the WebAssembly
 * module is compiled and instantiated with its `data` at load; each evaluation only writes the
 * input, runs the entrypoint and reads the result, reusing the same memory.
 *
 * The main file of `src/policy/wasm/`, the OPA WebAssembly host: this module, the instance over
 * OPA's ABI (opa_instance.ts), the memory import's limits (wasm_memory_import.ts) and the
 * built-ins km supplies (builtins.ts, regex_replace.ts). It knows nothing of how a policy is
 * built or what a decision means: it imports no other part of src/policy/
 * (src/architecture_test.ts).
 */
import { type BuiltinFunction, KM_BUILTINS, systemNowNs } from "./builtins.ts";
import { BuiltinFailure, MissingBuiltin, OpaAbort, OpaInstance } from "./opa_instance.ts";
import { KmError } from "../../errors.ts";
import { memoryImportLimits } from "./wasm_memory_import.ts";

/** The entrypoint of every km policy (docs/policy.md). */
export const DECISION_ENTRYPOINT = "kilometers/decision";

/** The query's answer: `[]` when the entrypoint is undefined, else `[{result: value}]`. */
export type ResultSet = { result: unknown }[];

/** How a policy is loaded. Everything is optional. */
export interface WasmPolicyOptions {
  /** What messages call the policy, e.g. its file name. */
  name?: string;
  /** The entrypoint to evaluate. Default: `kilometers/decision`. */
  entrypoint?: string;
  /** Built-ins by name. Default: KM_BUILTINS. */
  builtins?: Readonly<Record<string, { fn: BuiltinFunction } | undefined>>;
  /** The clock of `time.now_ns`, in nanoseconds since the epoch. */
  nowNs?: () => bigint;
  /** Receives the output of Rego's `print`. Default: discarded (stdout is the protocol's). */
  onPrint?: (line: string) => void;
  /** The most memory an instance may use (input, data, evaluation). Default: 256 MiB. */
  maxMemoryBytes?: number;
  /**
   * Evaluations reuse the heap above the data, and it is reset (all of it freed) before an
   * evaluation once this many bytes have been used since the last reset. 0 resets before every
   * evaluation, through OPA's one-call `opa_eval`, but then every evaluation compiles its regular
   * expressions again, which dominates the time of policies that use them. Otherwise a reset
   * restores a copy of the memory taken just after the first evaluation (patterns compiled; see
   * OpaInstance). Default: 1 MiB, the most memory this costs beyond one evaluation's needs.
   */
  heapResetBytes?: number;
}

const PAGE = 65536;

/** An instance whose memory grew this much past its data is replaced after its evaluation. */
const RELEASE_MEMORY_ABOVE = 32 * 1024 * 1024;

/** A loaded policy. Not safe to share between concurrent evaluations (there are none in JS). */
export class WasmPolicy {
  readonly #module: WebAssembly.Module;
  readonly #dataJson: string;
  readonly #name: string;
  readonly #entrypoint: number;
  readonly #nowNs: () => bigint;
  readonly #host: ConstructorParameters<typeof OpaInstance>[2];
  #instance: OpaInstance | undefined;
  /** The instance's memory when it was made (its data loaded): what evaluations grow from. */
  #createdBytes = 0;

  /**
   * Compiles and instantiates `wasm` (a `policy.wasm` from `opa build -t wasm`) with `data`.
   * Throws KmError POLICY_INVALID when the module cannot be used.
   *
   * @example
   * const { wasm, data } = await readBundle(await Deno.readFile("bundle.tar.gz"));
   * const policy = await WasmPolicy.load(wasm, data);
   * const [{ result }] = policy.evaluate({ method: "tools/call" });
   */
  static async load(
    wasm: Uint8Array<ArrayBuffer>,
    data: unknown = {},
    options: WasmPolicyOptions = {},
  ): Promise<WasmPolicy> {
    const name = options.name ?? "policy.wasm";
    try {
      const limits = memoryImportLimits(wasm);
      if (!limits) throw new Error("it imports no env.memory (not an OPA policy module?)");
      const module = await WebAssembly.compile(wasm);
      const maximum = Math.floor((options.maxMemoryBytes ?? 256 * 1024 * 1024) / PAGE);
      if (maximum < limits.initial) {
        throw new Error(`it needs ${limits.initial * PAGE} bytes of memory, over maxMemoryBytes`);
      }
      return new WasmPolicy(module, JSON.stringify(data ?? {}), name, options, {
        initial: limits.initial,
        maximum: Math.min(maximum, limits.maximum ?? maximum),
      });
    } catch (error) {
      if (error instanceof KmError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new KmError(
        "POLICY_INVALID",
        `Cannot load policy "${name}": ${why}`,
        error instanceof MissingBuiltin
          ? "compile policies with --capabilities policies/capabilities.json so that opa build " +
            "rejects built-ins km does not supply"
          : "expected a module built by: opa build -t wasm -e kilometers/decision",
      );
    }
  }

  private constructor(
    module: WebAssembly.Module,
    dataJson: string,
    name: string,
    options: WasmPolicyOptions,
    memory: { initial: number; maximum: number },
  ) {
    this.#module = module;
    this.#dataJson = dataJson;
    this.#name = name;
    this.#nowNs = options.nowNs ?? systemNowNs;
    this.#host = {
      builtins: options.builtins ?? KM_BUILTINS,
      onPrint: options.onPrint ?? (() => {}),
      memory,
      heapResetBytes: options.heapResetBytes ?? 1024 * 1024,
    };
    const instance = this.#prepare();
    const entrypoint = options.entrypoint ?? DECISION_ENTRYPOINT;
    const id = instance.entrypoints[entrypoint];
    if (id === undefined) {
      const known = Object.keys(instance.entrypoints).join(", ") || "none";
      throw new Error(`it has no entrypoint "${entrypoint}" (it has: ${known})`);
    }
    this.#entrypoint = id;
  }

  /** The module's ABI version, e.g. "1.3". */
  get abiVersion(): string {
    return this.#prepare().abi.join(".");
  }

  /** The built-ins the policy calls, which the host supplies. */
  get builtinNames(): string[] {
    return this.#prepare().builtinNames;
  }

  /** Heap resets of the current instance (see `heapResetBytes`): plain, and warm restores. */
  get heapResets(): { readonly plain: number; readonly warm: number } {
    return { ...this.#prepare().resets };
  }

  /** The size of the instance's memory now (it never shrinks; see `evaluate`). */
  get memoryBytes(): number {
    return this.#prepare().memory.buffer.byteLength;
  }

  /**
   * Evaluates the entrypoint with `input` (a JSON value; undefined means no input) and returns
   * the result set. Throws KmError POLICY_EVAL_FAILED when OPA aborts (e.g. conflicting
   * values for a complete rule), a built-in throws, memory runs out or the result is malformed;
   * callers must treat that as a deny. Memory grows to the largest evaluation so far.
   */
  evaluate(input: unknown): ResultSet {
    const resultJson = this.evaluateJson(input === undefined ? undefined : JSON.stringify(input));
    let results: unknown;
    try {
      results = JSON.parse(resultJson);
    } catch {
      results = undefined;
    }
    if (!Array.isArray(results) || !results.every((r) => typeof r === "object" && r !== null)) {
      throw this.#failure(`the result is not a result set: ${resultJson.slice(0, 200)}`);
    }
    return results;
  }

  /**
   * Like `evaluate`, with the input and the result set as JSON text, for callers that hold the
   * input serialised already. Malformed input fails the evaluation, except with
   * `heapResetBytes: 0`: `opa_eval` reports no parse error and evaluates as if there were no
   * input, so there the text must come from JSON.stringify or an already parsed message.
   */
  evaluateJson(inputJson: string | undefined): string {
    let now: bigint | undefined;
    const context = { nowNs: () => (now ??= this.#nowNs()) };
    try {
      const instance = this.#prepare();
      const result = instance.evaluate(this.#entrypoint, inputJson, context);
      // Memory never shrinks: after a rare huge input, a fresh instance gives it back.
      if (instance.memory.buffer.byteLength > this.#createdBytes + RELEASE_MEMORY_ABOVE) {
        this.#instance = undefined;
      }
      return result;
    } catch (error) {
      // An exception unwinds the module's C code without restoring its shadow-stack pointer,
      // so the instance cannot be trusted again: the next evaluation gets a fresh one.
      this.#instance = undefined;
      throw this.#failure(describe(error), error);
    }
  }

  #prepare(): OpaInstance {
    if (this.#instance) return this.#instance;
    this.#instance = new OpaInstance(this.#module, this.#dataJson, this.#host);
    this.#createdBytes = this.#instance.memory.buffer.byteLength;
    return this.#instance;
  }

  #failure(why: string, cause?: unknown): KmError {
    const error = new KmError(
      "POLICY_EVAL_FAILED",
      `Evaluation of policy "${this.#name}" failed: ${why}`,
    );
    if (cause !== undefined) error.cause = cause;
    return error;
  }
}

function describe(error: unknown): string {
  if (error instanceof OpaAbort) return `OPA aborted: ${error.message}`;
  if (error instanceof BuiltinFailure) return `built-in ${error.builtin}: ${error.message}`;
  if (error instanceof WebAssembly.RuntimeError) return `WebAssembly trap: ${error.message}`;
  if (error instanceof RangeError) return `out of memory or stack: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
