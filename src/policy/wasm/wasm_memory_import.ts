/**
 * The size an OPA policy module asks of its imported `env.memory`. The compiler sets the
 * minimum to cover the module's static data, which differs per policy, and
 * `WebAssembly.Module.imports` does not report limits, so they are read from the binary.
 */

/** Page counts (64 KiB each) from a memory import's limits. */
export interface MemoryLimits {
  initial: number;
  maximum?: number;
}

const SECTION_IMPORT = 2;

/**
 * The limits of the memory that `bytes` imports as `module`.`name`, or undefined when it
 * imports none. Throws when `bytes` is not a WebAssembly binary or is cut short.
 */
export function memoryImportLimits(
  bytes: Uint8Array,
  module = "env",
  name = "memory",
): MemoryLimits | undefined {
  const r = new Reader(bytes);
  if (r.u32le() !== 0x6d736100) throw new Error("not a WebAssembly module (bad magic number)");
  r.u32le(); // version
  while (!r.done()) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (id !== SECTION_IMPORT) {
      r.seek(end);
      continue;
    }
    for (let count = r.leb(); count > 0; count--) {
      const from = r.name();
      const field = r.name();
      const kind = r.byte();
      if (kind === 0) r.leb(); // function: type index
      else if (kind === 1) (r.byte(), r.limits()); // table: element type, limits
      else if (kind === 2) {
        const limits = r.limits();
        if (from === module && field === name) return limits;
      } else if (kind === 3) (r.byte(), r.byte()); // global: value type, mutability
      else if (kind === 4) (r.byte(), r.leb()); // tag: attribute, type index
      else throw new Error(`unknown WebAssembly import kind ${kind}`);
    }
    return undefined; // there is at most one import section
  }
  return undefined;
}

class Reader {
  at = 0;
  readonly #dec = new TextDecoder();
  constructor(readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  seek(to: number): void {
    if (to > this.bytes.length) throw new Error("WebAssembly module is truncated");
    this.at = to;
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("WebAssembly module is truncated");
    return this.bytes[this.at++];
  }

  u32le(): number {
    return (this.byte() | this.byte() << 8 | this.byte() << 16 | this.byte() << 24) >>> 0;
  }

  /** An unsigned LEB128 integer (at most 32 bits here). */
  leb(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    throw new Error("WebAssembly module has a malformed integer");
  }

  name(): string {
    const length = this.leb();
    const start = this.at;
    this.seek(start + length);
    return this.#dec.decode(this.bytes.subarray(start, start + length));
  }

  limits(): MemoryLimits {
    const flags = this.byte();
    const initial = this.leb();
    return flags & 1 ? { initial, maximum: this.leb() } : { initial };
  }
}
