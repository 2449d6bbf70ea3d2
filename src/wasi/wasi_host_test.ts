import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { Errno, FileType, OFlags, Size } from "./abi.ts";
import { memoryTree } from "./memory_fs.ts";
import { runWasi, WasiHost, type WasiOptions } from "./wasi_host.ts";
import { helloCommand as command } from "./_testing.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

type Fn = (...args: (number | bigint)[]) => number;

/** A host over a fresh two-page memory, its functions, and helpers to read and write memory. */
function setup(options: Partial<WasiOptions> = {}) {
  const host = new WasiHost({ args: ["prog"], ...options });
  const memory = new WebAssembly.Memory({ initial: 2 });
  host.useMemory(memory);
  const fns = host.imports().wasi_snapshot_preview1 as Record<string, Fn>;
  const view = () => new DataView(memory.buffer);
  const put = (at: number, text: string) => {
    const b = enc.encode(text);
    new Uint8Array(memory.buffer, at, b.length).set(b);
    return b.length;
  };
  const read = (at: number, len: number) => new Uint8Array(memory.buffer, at, len).slice();
  return { host, fns, view, put, read };
}

const tree = () =>
  memoryTree(
    new Map([
      ["/work/policy/a.rego", enc.encode("package a\n")],
      ["/work/policy/b.json", enc.encode("{}")],
      ["/work/caps.json", enc.encode("[1,2,3]")],
    ]),
  );

/** Opens `path` relative to the preopen (fd 3); returns [errno, fd]. */
function open(s: ReturnType<typeof setup>, path: string, oflags = 0, fdflags = 0) {
  const len = s.put(1000, path);
  const errno = s.fns.path_open(3, 0, 1000, len, oflags, 0n, 0n, fdflags, 900);
  return [errno, s.view().getUint32(900, true)];
}

Deno.test("args and environment are handed over NUL-terminated, with their sizes", () => {
  const s = setup({ args: ["opa", "build", "é"], env: { PWD: "/work" } });
  equal(s.fns.args_sizes_get(0, 4), Errno.SUCCESS);
  equal(s.view().getUint32(0, true), 3);
  equal(s.view().getUint32(4, true), "opa\0build\0é\0".length + 1); // é is two bytes
  equal(s.fns.args_get(100, 200), Errno.SUCCESS);
  const second = s.view().getUint32(104, true);
  equal(dec.decode(s.read(second, 6)), "build\0");
  equal(s.fns.environ_sizes_get(0, 4), Errno.SUCCESS);
  equal(s.view().getUint32(0, true), 1);
  equal(s.fns.environ_get(100, 200), Errno.SUCCESS);
  equal(dec.decode(s.read(s.view().getUint32(100, true), 10)), "PWD=/work\0");
});

Deno.test("the preopened directory is fd 3, by the name it was given; there is no fd 4", () => {
  const s = setup({ preopens: { "/work": tree() } });
  equal(s.fns.fd_prestat_get(3, 0), Errno.SUCCESS);
  equal(s.view().getUint8(0), 0);
  equal(s.view().getUint32(4, true), 5);
  equal(s.fns.fd_prestat_dir_name(3, 100, 5), Errno.SUCCESS);
  equal(dec.decode(s.read(100, 5)), "/work");
  equal(s.fns.fd_prestat_dir_name(3, 100, 4), Errno.INVAL);
  equal(s.fns.fd_prestat_get(4, 0), Errno.BADF);
  equal(s.fns.fd_prestat_get(1, 0), Errno.BADF);
  equal(s.fns.fd_close(3), Errno.NOTCAPABLE);
});

Deno.test("a file opens, reads across iovecs, seeks and closes", () => {
  const s = setup({ preopens: { "/": tree() } });
  const [errno, fd] = open(s, "work/policy/a.rego");
  equal(errno, Errno.SUCCESS);
  equal(fd, 4);
  // Two iovecs of 4 and 20 bytes at 200 and 300.
  s.view().setUint32(0, 200, true);
  s.view().setUint32(4, 4, true);
  s.view().setUint32(8, 300, true);
  s.view().setUint32(12, 20, true);
  equal(s.fns.fd_read(fd, 0, 2, 16), Errno.SUCCESS);
  equal(s.view().getUint32(16, true), 10);
  equal(dec.decode(s.read(200, 4)) + dec.decode(s.read(300, 6)), "package a\n");
  equal(s.fns.fd_read(fd, 0, 2, 16), Errno.SUCCESS);
  equal(s.view().getUint32(16, true), 0, "at the end, a read gives nothing");
  equal(s.fns.fd_seek(fd, -2n, 2, 24), Errno.SUCCESS);
  equal(s.view().getBigUint64(24, true), 8n);
  equal(s.fns.fd_seek(fd, -20n, 1, 24), Errno.INVAL);
  equal(s.fns.fd_seek(fd, 0n, 7, 24), Errno.INVAL);
  equal(s.fns.fd_close(fd), Errno.SUCCESS);
  equal(s.fns.fd_read(fd, 0, 2, 16), Errno.BADF);
});

Deno.test("path_open fails as a read-only tree, confined to its directory, must", () => {
  const s = setup({ preopens: { "/": tree() } });
  equal(open(s, "work/missing")[0], Errno.NOENT);
  equal(open(s, "work/new", OFlags.CREAT)[0], Errno.ROFS);
  equal(open(s, "work/caps.json", OFlags.CREAT | OFlags.EXCL)[0], Errno.EXIST);
  equal(open(s, "work/caps.json", OFlags.TRUNC)[0], Errno.ROFS);
  equal(open(s, "work/caps.json", 0, 1 /* append */)[0], Errno.ROFS);
  equal(open(s, "work/caps.json", OFlags.DIRECTORY)[0], Errno.NOTDIR);
  equal(open(s, "work/caps.json/x")[0], Errno.NOTDIR);
  equal(open(s, "../etc/passwd")[0], Errno.NOTCAPABLE);
  equal(open(s, "/work/caps.json")[0], Errno.NOTCAPABLE);
  const [ok, fd] = open(s, "work/caps.json");
  equal(ok, Errno.SUCCESS);
  s.view().setUint32(0, 100, true);
  s.view().setUint32(4, 1, true);
  equal(s.fns.fd_write(fd, 0, 1, 8), Errno.ROFS);
  equal(s.fns.path_open(1, 0, 1000, 1, 0, 0n, 0n, 0, 900), Errno.NOTDIR);
  equal(s.fns.path_open(99, 0, 1000, 1, 0, 0n, 0n, 0, 900), Errno.BADF);
});

Deno.test("filestat gives a file's size and type, a directory's type, stdio's character device", () => {
  const s = setup({ preopens: { "/": tree() } });
  const len = s.put(1000, "work/caps.json");
  equal(s.fns.path_filestat_get(3, 0, 1000, len, 0), Errno.SUCCESS);
  equal(s.view().getUint8(16), FileType.REGULAR_FILE);
  equal(s.view().getBigUint64(32, true), 7n);
  const dirLen = s.put(1000, "work/policy");
  equal(s.fns.path_filestat_get(3, 0, 1000, dirLen, 0), Errno.SUCCESS);
  equal(s.view().getUint8(16), FileType.DIRECTORY);
  equal(s.fns.fd_filestat_get(1, 0), Errno.SUCCESS);
  equal(s.view().getUint8(16), FileType.CHARACTER_DEVICE);
  const missing = s.put(1000, "work/nope");
  equal(s.fns.path_filestat_get(3, 0, 1000, missing, 0), Errno.NOENT);
  equal(s.fns.fd_fdstat_get(3, 0), Errno.SUCCESS);
  equal(s.view().getUint8(0), FileType.DIRECTORY);
  equal(s.fns.fd_fdstat_set_flags(1, 4), Errno.SUCCESS);
  equal(s.fns.fd_fdstat_set_flags(42, 4), Errno.BADF);
  // No symbolic links: readlink of a path that exists is invalid, of one that does not, missing.
  s.put(1000, "work/caps.json");
  equal(s.fns.path_readlink(3, 1000, len, 0, 0, 0), Errno.INVAL);
  s.put(1000, "work/nope");
  equal(s.fns.path_readlink(3, 1000, missing, 0, 0, 0), Errno.NOENT);
});

/** The dirents in `buf` (used bytes) as [next cookie, name, type]. */
function dirents(s: ReturnType<typeof setup>, buf: number, used: number) {
  const out: [bigint, string, number][] = [];
  for (let at = buf; at + Size.DIRENT <= buf + used;) {
    const len = s.view().getUint32(at + 16, true);
    const name = dec.decode(s.read(at + Size.DIRENT, Math.min(len, buf + used - at - Size.DIRENT)));
    out.push([s.view().getBigUint64(at, true), name, s.view().getUint8(at + 20)]);
    at += Size.DIRENT + len;
  }
  return out;
}

Deno.test("fd_readdir lists entries sorted, cuts the last at a full buffer and resumes from a cookie", () => {
  const s = setup({ preopens: { "/": tree() } });
  const [, fd] = open(s, "work", OFlags.DIRECTORY);
  equal(s.fns.fd_readdir(fd, 2000, 1000, 0n, 0), Errno.SUCCESS);
  const used = s.view().getUint32(0, true);
  equal(used, 2 * Size.DIRENT + "caps.json".length + "policy".length);
  assertEquals(dirents(s, 2000, used), [
    [1n, "caps.json", FileType.REGULAR_FILE],
    [2n, "policy", FileType.DIRECTORY],
  ]);
  // A buffer that holds the first entry and part of the second: full, so the guest asks again.
  equal(s.fns.fd_readdir(fd, 2000, Size.DIRENT + 9 + 10, 0n, 0), Errno.SUCCESS);
  equal(s.view().getUint32(0, true), Size.DIRENT + 9 + 10);
  equal(s.fns.fd_readdir(fd, 2000, 1000, 1n, 0), Errno.SUCCESS);
  assertEquals(dirents(s, 2000, s.view().getUint32(0, true)), [[2n, "policy", 3]]);
  equal(s.fns.fd_readdir(fd, 2000, 1000, 2n, 0), Errno.SUCCESS);
  equal(s.view().getUint32(0, true), 0);
  const [, file] = open(s, "work/caps.json");
  equal(s.fns.fd_readdir(file, 2000, 1000, 0n, 0), Errno.NOTDIR);
});

Deno.test("stdout and stderr are captured, stdin is read from the bytes given", () => {
  const s = setup({ stdin: enc.encode("in") });
  s.put(100, "out");
  s.view().setUint32(0, 100, true);
  s.view().setUint32(4, 3, true);
  equal(s.fns.fd_write(1, 0, 1, 8), Errno.SUCCESS);
  equal(s.view().getUint32(8, true), 3);
  equal(s.fns.fd_write(2, 0, 1, 8), Errno.SUCCESS);
  equal(s.fns.fd_write(7, 0, 1, 8), Errno.BADF);
  s.view().setUint32(0, 300, true);
  s.view().setUint32(4, 10, true);
  equal(s.fns.fd_read(0, 0, 1, 8), Errno.SUCCESS);
  equal(s.view().getUint32(8, true), 2);
  equal(dec.decode(s.read(300, 2)), "in");
  equal(s.fns.fd_seek(0, 0n, 0, 8), Errno.SPIPE);
  equal(s.fns.fd_write(0, 0, 1, 8), Errno.BADF);
});

Deno.test("clocks, random bytes (in 64 KiB calls) and yield come from what the host was given", () => {
  const calls: number[] = [];
  const s = setup({
    clock: { realtimeNs: () => 1_700_000_000_000_000_000n, monotonicNs: () => 42n },
    random: (into) => (calls.push(into.length), into.fill(7)),
  });
  equal(s.fns.clock_time_get(0, 1n, 0), Errno.SUCCESS);
  equal(s.view().getBigUint64(0, true), 1_700_000_000_000_000_000n);
  equal(s.fns.clock_time_get(1, 1n, 0), Errno.SUCCESS);
  equal(s.view().getBigUint64(0, true), 42n);
  equal(s.fns.clock_time_get(2, 1n, 0), Errno.INVAL);
  equal(s.fns.random_get(0, 65536 + 10), Errno.SUCCESS);
  assertEquals(calls, [65536, 10]);
  equal(s.read(65536 + 9, 1)[0], 7);
  equal(s.fns.sched_yield(), Errno.SUCCESS);
});

/** Writes a subscription at `at`: clock (`timeout`, relative or absolute) or fd read. */
function subscribe(
  s: ReturnType<typeof setup>,
  at: number,
  userdata: bigint,
  sub: { clock: bigint; absolute?: boolean } | { fd: number },
) {
  const v = s.view();
  v.setBigUint64(at, userdata, true);
  if ("clock" in sub) {
    v.setUint8(at + 8, 0);
    v.setUint32(at + 16, 1, true);
    v.setBigUint64(at + 24, sub.clock, true);
    v.setUint16(at + 40, sub.absolute ? 1 : 0, true);
  } else {
    v.setUint8(at + 8, 1);
    v.setUint32(at + 16, sub.fd, true);
  }
}

Deno.test("poll_oneoff sleeps until the earliest clock is due and reports the due ones", () => {
  let now = 1_000_000_000n;
  const slept: number[] = [];
  const s = setup({
    clock: { realtimeNs: () => now, monotonicNs: () => now },
    sleep: (ms) => (slept.push(ms), now += BigInt(ms) * 1_000_000n),
  });
  subscribe(s, 0, 11n, { clock: 2_500_000n }); // 2.5 ms
  subscribe(s, Size.SUBSCRIPTION, 12n, { clock: 1_000_000_000n + 2_000_000n, absolute: true });
  subscribe(s, 2 * Size.SUBSCRIPTION, 13n, { clock: 60_000_000_000n });
  equal(s.fns.poll_oneoff(0, 1000, 3, 2000), Errno.SUCCESS);
  assertEquals(slept, [2], "the earliest is the absolute one, 2 ms away");
  equal(s.view().getUint32(2000, true), 1);
  equal(s.view().getBigUint64(1000, true), 12n);
  equal(s.view().getUint8(1000 + 10), 0);
  equal(s.fns.poll_oneoff(0, 1000, 0, 2000), Errno.INVAL);
});

Deno.test("poll_oneoff answers descriptor subscriptions at once, without sleeping", () => {
  const slept: number[] = [];
  const s = setup({ sleep: (ms) => slept.push(ms) });
  subscribe(s, 0, 21n, { clock: 60_000_000_000n });
  subscribe(s, Size.SUBSCRIPTION, 22n, { fd: 0 });
  equal(s.fns.poll_oneoff(0, 1000, 2, 2000), Errno.SUCCESS);
  assertEquals(slept, []);
  equal(s.view().getUint32(2000, true), 1);
  equal(s.view().getBigUint64(1000, true), 22n);
  equal(s.view().getUint8(1000 + 10), 1);
});

Deno.test("runWasi runs _start: its output is captured and proc_exit's code returned", () => {
  const exited = runWasi(new WebAssembly.Module(command(3)), { args: ["cmd"] });
  equal(exited.exitCode, 3);
  equal(dec.decode(exited.stdout), "hi\n");
  equal(exited.stderr.length, 0);
  const returned = runWasi(new WebAssembly.Module(command()), { args: ["cmd"] });
  equal(returned.exitCode, 0);
  equal(dec.decode(returned.stdout), "hi\n");
});

Deno.test("start refuses a module that is not a WASI command", () => {
  const empty = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const host = new WasiHost({ args: [] });
  throws(
    () => host.start(new WebAssembly.Instance(empty, host.imports())),
    /not a WASI command: the module must export memory and _start/,
  );
});
