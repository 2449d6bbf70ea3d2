/**
 * Test helpers: a WASI command small enough to write by hand, so that the host (and what runs
 * it) can be tested without Go or a toolchain. Not part of km.
 */
const enc = new TextEncoder();

/** An unsigned LEB128 number. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (text: string) => [...uleb(text.length), ...enc.encode(text)];

/**
 * A WASI command that writes "hi\n" to stdout (an iovec at 0 pointing at 16) and then, when
 * `exit` is given, calls proc_exit with it; else `_start` returns.
 */
export function helloCommand(exit?: number): Uint8Array<ArrayBuffer> {
  const wasi = "wasi_snapshot_preview1";
  const body = [
    0x00, // no locals
    ...[0x41, 1, 0x41, 0, 0x41, 1, 0x41, 8, 0x10, 0, 0x1a], // drop(fd_write(1, 0, 1, 8))
    ...(exit === undefined ? [] : [0x41, exit, 0x10, 1]), // proc_exit(exit)
    0x0b,
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [3, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 0, 0x60, 0, 0]),
    ...section(2, [
      2,
      ...name(wasi),
      ...name("fd_write"),
      0,
      0,
      ...name(wasi),
      ...name("proc_exit"),
      0,
      1,
    ]),
    ...section(3, [1, 2]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...name("memory"), 2, 0, ...name("_start"), 0, 2]),
    ...section(10, [1, ...uleb(body.length), ...body]),
    ...section(11, [
      2,
      ...[0, 0x41, 16, 0x0b, 3, ...enc.encode("hi\n")],
      ...[0, 0x41, 0, 0x0b, 8, 16, 0, 0, 0, 3, 0, 0, 0],
    ]),
  ]);
}
