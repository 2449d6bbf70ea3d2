/**
 * One instance of an OPA-compiled policy module, driven through OPA's WebAssembly ABI 1.x
 * (docs/docs/wasm.md in the OPA repository; the Go SDK's internal/wasm/sdk/internal/wasm/vm.go
 * is the reference host). Deliberately not `npm:@open-policy-agent/opa-wasm`: any npm package
 * loads Deno's Node compatibility layer, about 12 MB of RSS in every km process.
 */
import type { BuiltinFunction, EvalContext } from "./builtins.ts";

/** OPA called `opa_abort`: an internal error, such as a conflict between rule outputs. */
export class OpaAbort extends Error {}

/** A built-in threw (or returned something that is not JSON). */
export class BuiltinFailure extends Error {
  constructor(readonly builtin: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** What the instance needs from its host. */
export interface InstanceHost {
  builtins: Readonly<Record<string, { fn: BuiltinFunction } | undefined>>;
  onPrint(line: string): void;
  memory: { initial: number; maximum: number };
  /** See `WasmPolicyOptions.heapResetBytes`. */
  heapResetBytes: number;
}

interface Exports {
  [name: string]: unknown;
  opa_malloc(size: number): number;
  opa_free(addr: number): void;
  opa_json_parse(addr: number, length: number): number;
  opa_json_dump(addr: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  builtins(): number;
  entrypoints(): number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const PAGE = 65536;
// JSON.rawJSON (ES2025) is in V8 but not yet in TypeScript's lib.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** A live module instance with `data` loaded, ready to evaluate one entrypoint many times. */
export class OpaInstance {
  readonly memory: WebAssembly.Memory;
  readonly abi: [major: number, minor: number];
  readonly builtinNames: string[];
  readonly entrypoints: Record<string, number>;
  readonly #x: Exports;
  readonly #byId: { name: string; fn: BuiltinFunction }[] = [];
  #bytes: Uint8Array;
  #dataAddr = 0;
  #evalHeapPtr = 0;
  /** The memory below the heap pointer, kept right after the first evaluation past a reset. */
  #warm: { bytes: Uint8Array; memoryBytes: number } | undefined;
  #takeWarm = false;
  #context: EvalContext | undefined;
  /** Heap resets so far: plain ones, and ones that restored the warm copy. */
  readonly resets = { plain: 0, warm: 0 };

  /** Throws with a plain message on a module km cannot drive; the host adds the policy name. */
  constructor(module: WebAssembly.Module, dataJson: string, readonly host: InstanceHost) {
    this.memory = new WebAssembly.Memory(host.memory);
    this.#bytes = new Uint8Array(this.memory.buffer);
    const call = (id: number, ...addrs: number[]) => this.#dispatch(id, addrs);
    const env = {
      memory: this.memory,
      opa_abort: (addr: number) => {
        throw new OpaAbort(this.#string(addr));
      },
      opa_println: (addr: number) => host.onPrint(this.#string(addr)),
      opa_builtin0: (id: number, _ctx: number) => call(id),
      opa_builtin1: (id: number, _ctx: number, a: number) => call(id, a),
      opa_builtin2: (id: number, _ctx: number, a: number, b: number) => call(id, a, b),
      opa_builtin3: (id: number, _ctx: number, a: number, b: number, c: number) =>
        call(id, a, b, c),
      opa_builtin4: (id: number, _ctx: number, a: number, b: number, c: number, d: number) =>
        call(id, a, b, c, d),
    };
    const x = new WebAssembly.Instance(module, { env }).exports as unknown as Exports;
    this.#x = x;
    const version = (name: string) => (x[name] as WebAssembly.Global | undefined)?.value;
    this.abi = [version("opa_wasm_abi_version"), version("opa_wasm_abi_minor_version")];
    if (this.abi[0] !== 1) {
      throw new Error(
        this.abi[0] === undefined
          ? "the module has no opa_wasm_abi_version (built by OPA older than 0.27?)"
          : `its WebAssembly ABI version is ${this.abi.join(".")}, km supports 1.x`,
      );
    }

    const builtins = this.#dump(x.builtins()) as Record<string, number>;
    this.builtinNames = Object.keys(builtins).sort();
    for (const [name, id] of Object.entries(builtins)) {
      const builtin = host.builtins[name];
      if (!builtin) throw new MissingBuiltin(name);
      this.#byId[id] = { name, fn: builtin.fn };
    }
    this.entrypoints = this.#dump(x.entrypoints()) as Record<string, number>;

    // The calling convention of docs/docs/wasm.md, "External Data": data sits below the heap
    // pointer taken after it is parsed, and every evaluation starts again from that pointer.
    x.opa_malloc(0);
    this.#dataAddr = this.#parse(dataJson);
    (x.opa_heap_blocks_stash as (() => void) | undefined)?.();
    this.#evalHeapPtr = x.opa_heap_ptr_get();
    this.#takeWarm = true;
  }

  /**
   * Evaluates entrypoint `id` with the input given as JSON text (undefined: no input) and
   * returns the result set as JSON text. Throws OpaAbort, BuiltinFailure, or what WebAssembly
   * throws (a RuntimeError on a trap, a RangeError when memory runs out).
   */
  evaluate(entrypoint: number, inputJson: string | undefined, context: EvalContext): string {
    this.#context = context;
    try {
      return this.host.heapResetBytes > 0 || this.abi[1] < 2
        ? this.#evaluateClassic(entrypoint, inputJson)
        : this.#evaluateFast(entrypoint, inputJson);
    } finally {
      this.#context = undefined;
    }
  }

  /** ABI 1.2 `opa_eval`: one call, which always resets the heap first. */
  #evaluateFast(entrypoint: number, inputJson: string | undefined): string {
    // The input is parsed from where we write it, at the heap pointer, and the heap for this
    // evaluation starts right after it.
    const at = this.#evalHeapPtr;
    const length = inputJson === undefined ? 0 : this.#write(inputJson, at);
    const evaluate = this.#x.opa_eval as (...args: number[]) => number;
    return this.#string(evaluate(0, entrypoint, this.#dataAddr, at, length, at + length, 0));
  }

  /**
   * The eval-context calls of ABI 1.0, which leave resetting the heap to the host. Resetting
   * also empties OPA's built-in cache (wasm/src/malloc.c, init_free), so every evaluation would
   * compile its regular expressions (`regex.match`, `glob.match`) again, 15 to 30 µs each.
   * Resetting only once `heapResetBytes` have been used since the data keeps them compiled.
   * In between, the input value and the result text are freed once the result is read (code
   * compiled from Rego frees nothing, so nothing can free them twice); the evaluation's other
   * garbage, about 1 KB for a small policy, waits for the next reset.
   *
   * The first evaluation after a reset compiles the patterns it meets; the memory below the heap
   * pointer is then copied aside (`#warm`), and later resets copy it back instead: the heap, its
   * free lists and the built-in cache (module statics live in the same memory) return to that
   * moment, patterns compiled. The copy is only valid while the memory keeps the size it had
   * (OPA's allocator records the top it may use): after the memory grew, the next reset is a
   * plain one and a new copy is taken.
   */
  #evaluateClassic(entrypoint: number, inputJson: string | undefined): string {
    const x = this.#x;
    if (x.opa_heap_ptr_get() - this.#evalHeapPtr >= this.host.heapResetBytes) this.#resetHeap();
    const result = this.#evaluateOnce(entrypoint, inputJson);
    if (this.#takeWarm) {
      this.#takeWarm = false;
      // Not after an evaluation that filled the heap (a large input): that copy would cost as
      // much memory as it holds, and most of it garbage.
      const top = x.opa_heap_ptr_get();
      if (top - this.#evalHeapPtr <= this.host.heapResetBytes / 2) {
        this.#warm = {
          bytes: this.#view().slice(0, top),
          memoryBytes: this.memory.buffer.byteLength,
        };
      }
    }
    return result;
  }

  #resetHeap(): void {
    const warm = this.#warm;
    if (warm && warm.memoryBytes === this.memory.buffer.byteLength) {
      this.#view().set(warm.bytes);
      this.resets.warm++;
      return;
    }
    this.resets.plain++;
    this.#warm = undefined;
    this.#x.opa_heap_ptr_set(this.#evalHeapPtr);
    this.#takeWarm = true;
  }

  #evaluateOnce(entrypoint: number, inputJson: string | undefined): string {
    const x = this.#x as Exports & Record<string, (...args: number[]) => number>;
    const ctx = x.opa_eval_ctx_new();
    // opa_json_parse, unlike opa_eval's parser, reports malformed input (0) instead of
    // evaluating as if there were no input.
    const input = inputJson === undefined ? 0 : this.#parse(inputJson);
    if (input) x.opa_eval_ctx_set_input(ctx, input);
    x.opa_eval_ctx_set_data(ctx, this.#dataAddr);
    x.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    x.eval(ctx);
    const addr = x.opa_json_dump(x.opa_eval_ctx_get_result(ctx));
    const result = this.#string(addr);
    x.opa_free(addr);
    if (input && x.opa_value_free) x.opa_value_free(input);
    return result;
  }

  #dispatch(id: number, addrs: number[]): number {
    const builtin = this.#byId[id];
    if (!builtin || !this.#context) throw new OpaAbort(`call of unknown built-in #${id}`);
    let json: string;
    try {
      const args = addrs.map((addr) => this.#dump(addr));
      const value = builtin.fn(args, this.#context);
      if (value === undefined) return 0; // undefined in Rego
      json = JSON.stringify(value, (_, v) => typeof v === "bigint" ? rawJSON(String(v)) : v);
    } catch (error) {
      throw new BuiltinFailure(builtin.name, error);
    }
    return this.#parse(json);
  }

  /** Copies JSON text into the heap and parses it into an OPA value; returns its address. */
  #parse(json: string): number {
    // Small texts are encoded straight into a buffer sized for the worst case (3 bytes per
    // UTF-16 unit); large ones are measured first rather than over-allocated.
    const bytes = json.length > 65536 ? enc.encode(json) : undefined;
    const addr = this.#x.opa_malloc(bytes?.length ?? json.length * 3);
    const length = bytes
      ? (this.#view().set(bytes, addr), bytes.length)
      : enc.encodeInto(json, this.#view().subarray(addr, addr + json.length * 3)).written;
    const value = this.#x.opa_json_parse(addr, length);
    this.#x.opa_free(addr);
    // The text is the message being decided on: never quote it (it may hold secrets).
    if (value === 0) throw new Error(`OPA could not parse the ${length}-byte JSON text`);
    return value;
  }

  /** The OPA value at `addr` as a JSON value. */
  #dump(addr: number): unknown {
    return JSON.parse(this.#string(this.#x.opa_json_dump(addr)));
  }

  /** Writes `text` as UTF-8 at `at`, growing memory if needed; returns the byte length. */
  #write(text: string, at: number): number {
    // Encoding in place avoids a copy; it needs room for the worst case of 3 bytes per unit.
    if (at + text.length * 3 <= this.memory.buffer.byteLength) {
      return enc.encodeInto(text, this.#view().subarray(at)).written;
    }
    const bytes = enc.encode(text);
    const missing = at + bytes.length - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    this.#view().set(bytes, at);
    return bytes.length;
  }

  /** The NUL-terminated string at `addr`. */
  #string(addr: number): string {
    const bytes = this.#view();
    const end = bytes.indexOf(0, addr);
    if (addr <= 0 || end < 0) throw new Error(`no NUL-terminated string at address ${addr}`);
    return dec.decode(bytes.subarray(addr, end));
  }

  /** A view of memory; growing memory detaches the previous buffer. */
  #view(): Uint8Array {
    if (this.#bytes.buffer !== this.memory.buffer) this.#bytes = new Uint8Array(this.memory.buffer);
    return this.#bytes;
  }
}

/** The module imports a built-in the host does not supply. */
export class MissingBuiltin extends Error {
  constructor(readonly builtin: string) {
    super(`the policy calls the built-in "${builtin}", which km does not supply`);
  }
}
