/**
 * A WASI preview 1 host, as small as a command-line Go program built with `GOOS=wasip1` needs:
 * arguments, environment, clocks, random bytes, sleeping, standard output and error captured in
 * memory, standard input from bytes, and a read-only file system held in memory (memory_fs.ts)
 * preopened as one directory. Nothing reaches the real file system, network or process: the guest
 * sees only what it is handed, which keeps the surface small and the runs reproducible.
 *
 * The main file of `src/wasi/`, a leaf room: it imports nothing of km, and only src/policy/ uses
 * it (src/architecture_test.ts), to compile Rego in-process (src/policy/build/opa_wasm.ts).
 */
import {
  ALL_RIGHTS,
  ClockId,
  Errno,
  EventType,
  FdFlags,
  FileType,
  OFlags,
  PREOPEN_TYPE_DIR,
  Size,
  SUBSCRIPTION_CLOCK_ABSTIME,
  Whence,
} from "./abi.ts";
import { lookup, type MemoryDir, type MemoryNode, sortedEntries } from "./memory_fs.ts";

/** What the guest is given. */
export interface WasiOptions {
  /** `argv`, its program name first. */
  readonly args: readonly string[];
  /** The environment, e.g. `{ PWD: "/work" }` (Go's wasip1 takes its working directory from it). */
  readonly env?: Readonly<Record<string, string>>;
  /** Directories the guest may open, by the absolute path it knows them by (e.g. `"/"`). */
  readonly preopens?: Readonly<Record<string, MemoryDir>>;
  /** Standard input; default: empty. */
  readonly stdin?: Uint8Array;
  /** The system's clocks, in nanoseconds; default: the real ones. */
  readonly clock?: WasiClock;
  /** Fills a buffer with random bytes; default: `crypto.getRandomValues`. */
  readonly random?: (into: Uint8Array) => void;
  /** Blocks for `ms` milliseconds (the guest sleeps); default: `Atomics.wait`. */
  readonly sleep?: (ms: number) => void;
}

/** The clocks a guest reads. */
export interface WasiClock {
  realtimeNs(): bigint;
  monotonicNs(): bigint;
}

/** How a run ended and what the guest wrote. */
export interface WasiRun {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

/** Thrown by `proc_exit` to unwind the guest; caught by `start`. */
class ProcExit {
  constructor(readonly code: number) {}
}

/** An open file descriptor. */
type Descriptor =
  | { readonly kind: "stdin"; position: number }
  | { readonly kind: "output"; readonly chunks: Uint8Array[] }
  | {
    readonly kind: "node";
    readonly node: MemoryNode;
    position: number;
    readonly preopen?: string;
  };

/**
 * One guest process: the imports of `wasi_snapshot_preview1` and the state behind them. Create
 * one per run; `start` runs the guest's `_start` once.
 */
export class WasiHost {
  readonly #args: Uint8Array[];
  readonly #env: Uint8Array[];
  readonly #stdin: Uint8Array;
  readonly #clock: WasiClock;
  readonly #random: (into: Uint8Array) => void;
  readonly #sleep: (ms: number) => void;
  readonly #fds = new Map<number, Descriptor>();
  readonly #stdout: Uint8Array[] = [];
  readonly #stderr: Uint8Array[] = [];
  #nextFd: number;
  #memory: WebAssembly.Memory | undefined;

  constructor(options: WasiOptions) {
    const enc = new TextEncoder();
    this.#args = options.args.map((a) => enc.encode(`${a}\0`));
    this.#env = Object.entries(options.env ?? {}).map(([k, v]) => enc.encode(`${k}=${v}\0`));
    this.#stdin = options.stdin ?? new Uint8Array();
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? fillRandom;
    this.#sleep = options.sleep ?? sleepSync;
    this.#fds.set(0, { kind: "stdin", position: 0 });
    this.#fds.set(1, { kind: "output", chunks: this.#stdout });
    this.#fds.set(2, { kind: "output", chunks: this.#stderr });
    this.#nextFd = 3;
    for (const [name, dir] of Object.entries(options.preopens ?? {})) {
      this.#fds.set(this.#nextFd++, { kind: "node", node: dir, position: 0, preopen: name });
    }
  }

  /** The memory the imports read and write: the guest's exported `memory` (set by `start`). */
  useMemory(memory: WebAssembly.Memory): void {
    this.#memory = memory;
  }

  /**
   * Runs the instance's `_start` to its end and returns its exit code (0 when `_start` returns)
   * with what it wrote. A trap of the guest is thrown as is.
   */
  start(instance: WebAssembly.Instance): WasiRun {
    const { memory, _start } = instance.exports as {
      memory?: WebAssembly.Memory;
      _start?: () => void;
    };
    if (!(memory instanceof WebAssembly.Memory) || typeof _start !== "function") {
      throw new Error("not a WASI command: the module must export memory and _start");
    }
    this.useMemory(memory);
    let exitCode = 0;
    try {
      _start();
    } catch (error) {
      if (!(error instanceof ProcExit)) throw error;
      exitCode = error.code;
    }
    return { exitCode, stdout: concat(this.#stdout), stderr: concat(this.#stderr) };
  }

  /** The import object to instantiate the guest with. */
  imports(): WebAssembly.Imports {
    return { wasi_snapshot_preview1: this.#functions() };
  }

  #view(): DataView {
    if (!this.#memory) throw new Error("WasiHost: no memory yet (call start or useMemory)");
    // Fresh each call: the guest's memory grows, which detaches the previous buffer.
    return new DataView(this.#memory.buffer);
  }

  #bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.#view().buffer, ptr, len);
  }

  #string(ptr: number, len: number): string {
    return new TextDecoder().decode(this.#bytes(ptr, len).slice());
  }

  /** The iovecs (`ptr`, `len` pairs) at `iovs`, as views of memory. */
  #iovecs(iovs: number, count: number): Uint8Array[] {
    const view = this.#view();
    return Array.from({ length: count }, (_, i) => {
      const base = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      return new Uint8Array(view.buffer, base, len);
    });
  }

  #functions(): Record<string, (...args: never[]) => number> {
    return {
      args_sizes_get: (argc: number, size: number) => this.#sizes(this.#args, argc, size),
      args_get: (argv: number, buf: number) => this.#list(this.#args, argv, buf),
      environ_sizes_get: (count: number, size: number) => this.#sizes(this.#env, count, size),
      environ_get: (environ: number, buf: number) => this.#list(this.#env, environ, buf),
      clock_time_get: (id: number, _precision: bigint, out: number) => {
        const now = this.#now(id);
        if (now === undefined) return Errno.INVAL;
        this.#view().setBigUint64(out, now, true);
        return Errno.SUCCESS;
      },
      random_get: (ptr: number, len: number) => {
        // getRandomValues fills at most 64 KiB per call.
        for (let at = 0; at < len; at += 65536) {
          this.#random(this.#bytes(ptr + at, Math.min(65536, len - at)));
        }
        return Errno.SUCCESS;
      },
      sched_yield: () => Errno.SUCCESS,
      proc_exit: (code: number) => {
        throw new ProcExit(code);
      },
      poll_oneoff: (subs: number, events: number, count: number, nevents: number) =>
        this.#poll(subs, events, count, nevents),
      fd_write: (fd: number, iovs: number, count: number, nwritten: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== "output") return d.kind === "node" ? Errno.ROFS : Errno.BADF;
        let written = 0;
        for (const iov of this.#iovecs(iovs, count)) {
          d.chunks.push(iov.slice());
          written += iov.length;
        }
        this.#view().setUint32(nwritten, written, true);
        return Errno.SUCCESS;
      },
      fd_read: (fd: number, iovs: number, count: number, nread: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        let source: Uint8Array;
        if (d.kind === "stdin") source = this.#stdin;
        else if (d.kind === "node" && d.node.kind === "file") source = d.node.bytes;
        else return d.kind === "node" ? Errno.ISDIR : Errno.BADF;
        let read = 0;
        for (const iov of this.#iovecs(iovs, count)) {
          const part = source.subarray(d.position, d.position + iov.length);
          iov.set(part);
          d.position += part.length;
          read += part.length;
          if (part.length < iov.length) break;
        }
        this.#view().setUint32(nread, read, true);
        return Errno.SUCCESS;
      },
      fd_seek: (fd: number, offset: bigint, whence: number, out: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        if (d.kind !== "node") return Errno.SPIPE;
        if (d.node.kind !== "file") return Errno.ISDIR;
        const base = whence === Whence.SET
          ? 0
          : whence === Whence.CUR
          ? d.position
          : whence === Whence.END
          ? d.node.bytes.length
          : undefined;
        if (base === undefined) return Errno.INVAL;
        const position = base + Number(offset);
        if (position < 0) return Errno.INVAL;
        d.position = position;
        this.#view().setBigUint64(out, BigInt(position), true);
        return Errno.SUCCESS;
      },
      fd_close: (fd: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        if (d.kind === "node" && d.preopen !== undefined) return Errno.NOTCAPABLE;
        this.#fds.delete(fd);
        return Errno.SUCCESS;
      },
      fd_fdstat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        const view = this.#view();
        view.setUint8(out, d.kind === "node" ? fileTypeOf(d.node) : FileType.CHARACTER_DEVICE);
        view.setUint16(out + 2, 0, true);
        view.setBigUint64(out + 8, ALL_RIGHTS, true);
        view.setBigUint64(out + 16, ALL_RIGHTS, true);
        return Errno.SUCCESS;
      },
      // Go sets standard streams non-blocking; ours never block.
      fd_fdstat_set_flags: (fd: number, _flags: number) =>
        this.#fds.has(fd) ? Errno.SUCCESS : Errno.BADF,
      fd_filestat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (!d) return Errno.BADF;
        if (d.kind === "node") this.#filestat(out, d.node);
        else this.#filestat(out, undefined);
        return Errno.SUCCESS;
      },
      fd_prestat_get: (fd: number, out: number) => {
        const d = this.#fds.get(fd);
        if (d?.kind !== "node" || d.preopen === undefined) return Errno.BADF;
        const view = this.#view();
        view.setUint8(out, PREOPEN_TYPE_DIR);
        view.setUint32(out + 4, new TextEncoder().encode(d.preopen).length, true);
        return Errno.SUCCESS;
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        const d = this.#fds.get(fd);
        if (d?.kind !== "node" || d.preopen === undefined) return Errno.BADF;
        const name = new TextEncoder().encode(d.preopen);
        if (len < name.length) return Errno.INVAL;
        this.#bytes(ptr, name.length).set(name);
        return Errno.SUCCESS;
      },
      fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, used: number) =>
        this.#readdir(fd, buf, len, Number(cookie), used),
      path_open: (
        dirFd: number,
        _lookupFlags: number,
        pathPtr: number,
        pathLen: number,
        oflags: number,
        _rightsBase: bigint,
        _rightsInheriting: bigint,
        fdflags: number,
        out: number,
      ) => {
        const found = this.#resolve(dirFd, pathPtr, pathLen);
        if (typeof found === "number") {
          // Creating a file in a read-only tree.
          return found === Errno.NOENT && oflags & OFlags.CREAT ? Errno.ROFS : found;
        }
        if (oflags & OFlags.EXCL && oflags & OFlags.CREAT) return Errno.EXIST;
        if (oflags & OFlags.DIRECTORY && found.kind !== "dir") return Errno.NOTDIR;
        if (oflags & OFlags.TRUNC || fdflags & FdFlags.APPEND) {
          return found.kind === "dir" ? Errno.ISDIR : Errno.ROFS;
        }
        const fd = this.#nextFd++;
        this.#fds.set(fd, { kind: "node", node: found, position: 0 });
        this.#view().setUint32(out, fd, true);
        return Errno.SUCCESS;
      },
      path_filestat_get: (
        dirFd: number,
        _flags: number,
        pathPtr: number,
        pathLen: number,
        out: number,
      ) => {
        const found = this.#resolve(dirFd, pathPtr, pathLen);
        if (typeof found === "number") return found;
        this.#filestat(out, found);
        return Errno.SUCCESS;
      },
      // The tree has no symbolic links: an existing path is not one.
      path_readlink: (
        dirFd: number,
        pathPtr: number,
        pathLen: number,
        _buf: number,
        _bufLen: number,
        _used: number,
      ) => {
        const found = this.#resolve(dirFd, pathPtr, pathLen);
        return typeof found === "number" ? found : Errno.INVAL;
      },
    };
  }

  #sizes(items: Uint8Array[], countPtr: number, sizePtr: number): number {
    const view = this.#view();
    view.setUint32(countPtr, items.length, true);
    view.setUint32(sizePtr, items.reduce((n, s) => n + s.length, 0), true);
    return Errno.SUCCESS;
  }

  #list(items: Uint8Array[], pointers: number, buf: number): number {
    const view = this.#view();
    let at = buf;
    for (const [i, item] of items.entries()) {
      view.setUint32(pointers + i * 4, at, true);
      new Uint8Array(view.buffer, at, item.length).set(item);
      at += item.length;
    }
    return Errno.SUCCESS;
  }

  #now(id: number): bigint | undefined {
    if (id === ClockId.REALTIME) return this.#clock.realtimeNs();
    if (id === ClockId.MONOTONIC) return this.#clock.monotonicNs();
    return undefined;
  }

  /** The node a `path_*` call names relative to the directory `dirFd`, or an errno. */
  #resolve(dirFd: number, pathPtr: number, pathLen: number): MemoryNode | number {
    const d = this.#fds.get(dirFd);
    if (!d) return Errno.BADF;
    if (d.kind !== "node" || d.node.kind !== "dir") return Errno.NOTDIR;
    const path = this.#string(pathPtr, pathLen);
    // WASI paths are relative to the directory; an absolute one escapes it.
    if (path.startsWith("/")) return Errno.NOTCAPABLE;
    const found = lookup(d.node, path);
    if (found === "not_found") return Errno.NOENT;
    if (found === "not_a_directory") return Errno.NOTDIR;
    if (found === "outside") return Errno.NOTCAPABLE;
    return found;
  }

  /** Writes a `filestat` for `node` (a character device when there is none) at `out`. */
  #filestat(out: number, node: MemoryNode | undefined): void {
    const view = this.#view();
    new Uint8Array(view.buffer, out, Size.FILESTAT).fill(0);
    view.setBigUint64(out + 8, node?.ino ?? 0n, true);
    view.setUint8(out + 16, node ? fileTypeOf(node) : FileType.CHARACTER_DEVICE);
    view.setBigUint64(out + 24, 1n, true);
    const size = node === undefined ? 0 : node.kind === "file" ? node.bytes.length : 0;
    view.setBigUint64(out + 32, BigInt(size), true);
  }

  /**
   * Writes the directory's entries from the `cookie`th on into `buf`: a `dirent` header and the
   * name for each, the last one cut short when the buffer is full (the guest then asks again
   * from that entry, seeing `used == len`).
   */
  #readdir(fd: number, buf: number, len: number, cookie: number, usedPtr: number): number {
    const d = this.#fds.get(fd);
    if (!d) return Errno.BADF;
    if (d.kind !== "node" || d.node.kind !== "dir") return Errno.NOTDIR;
    const enc = new TextEncoder();
    const entries = sortedEntries(d.node);
    let used = 0;
    for (let i = cookie; i < entries.length && used < len; i++) {
      const [name, node] = entries[i];
      const nameBytes = enc.encode(name);
      const record = new Uint8Array(Size.DIRENT + nameBytes.length);
      const header = new DataView(record.buffer);
      header.setBigUint64(0, BigInt(i + 1), true);
      header.setBigUint64(8, node.ino, true);
      header.setUint32(16, nameBytes.length, true);
      header.setUint8(20, fileTypeOf(node));
      record.set(nameBytes, Size.DIRENT);
      const fits = record.subarray(0, Math.min(record.length, len - used));
      this.#bytes(buf + used, fits.length).set(fits);
      used += fits.length;
    }
    this.#view().setUint32(usedPtr, used, true);
    return Errno.SUCCESS;
  }

  /**
   * `poll_oneoff`: descriptor subscriptions are always ready (nothing here blocks); with only
   * clock subscriptions, sleeps until the earliest one is due and reports those that are.
   */
  #poll(subs: number, events: number, count: number, neventsPtr: number): number {
    if (count === 0) return Errno.INVAL;
    const view = this.#view();
    type Sub = { userdata: bigint; type: number; deadline: bigint };
    const all: Sub[] = [];
    const now = this.#clock.monotonicNs();
    for (let i = 0; i < count; i++) {
      const at = subs + i * Size.SUBSCRIPTION;
      const userdata = view.getBigUint64(at, true);
      const type = view.getUint8(at + 8);
      let deadline = now;
      if (type === EventType.CLOCK) {
        const id = view.getUint32(at + 16, true);
        const timeout = view.getBigUint64(at + 24, true);
        const absolute = (view.getUint16(at + 40, true) & SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
        const clockNow = this.#now(id) ?? now;
        deadline = now + (absolute ? timeout - clockNow : timeout);
      }
      all.push({ userdata, type, deadline });
    }
    let due = all.filter((s) => s.type !== EventType.CLOCK);
    if (due.length === 0) {
      const earliest = all.reduce((a, b) => (b.deadline < a ? b.deadline : a), all[0].deadline);
      const wait = earliest - now;
      if (wait > 0n) this.#sleep(Number(wait / 1_000_000n) + (wait % 1_000_000n > 0n ? 1 : 0));
      const after = this.#clock.monotonicNs();
      due = all.filter((s) => s.deadline <= after);
      if (due.length === 0) due = all.filter((s) => s.deadline === earliest);
    }
    const out = this.#view();
    for (const [i, s] of due.entries()) {
      const at = events + i * Size.EVENT;
      new Uint8Array(out.buffer, at, Size.EVENT).fill(0);
      out.setBigUint64(at, s.userdata, true);
      out.setUint16(at + 8, Errno.SUCCESS, true);
      out.setUint8(at + 10, s.type);
    }
    out.setUint32(neventsPtr, due.length, true);
    return Errno.SUCCESS;
  }
}

/**
 * Instantiates `module` with a fresh host for `options` and runs it to its end. Synchronous: the
 * guest runs on this thread until it exits.
 */
export function runWasi(module: WebAssembly.Module, options: WasiOptions): WasiRun {
  const host = new WasiHost(options);
  const instance = new WebAssembly.Instance(module, host.imports());
  return host.start(instance);
}

function fileTypeOf(node: MemoryNode): number {
  return node.kind === "dir" ? FileType.DIRECTORY : FileType.REGULAR_FILE;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const systemClock: WasiClock = {
  realtimeNs: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)),
  monotonicNs: () => BigInt(Math.round(performance.now() * 1e6)),
};

function fillRandom(into: Uint8Array): void {
  crypto.getRandomValues(into);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
