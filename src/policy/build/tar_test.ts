import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { pax, tarArchive as tar } from "../_testing.ts";
import { readTar } from "./tar.ts";

const dec = new TextDecoder();

Deno.test("readTar returns files and directories with their bytes, in order", () => {
  const entries = readTar(tar([
    { name: "/data.json", body: '{"a":1}' },
    { name: "/dir/", type: "5" },
    { name: "/policy.wasm", body: "x".repeat(600) },
  ]));
  assertEquals(entries.map((e) => [e.name, e.kind, e.bytes.length]), [
    ["/data.json", "file", 7],
    ["/dir/", "directory", 0],
    ["/policy.wasm", "file", 600],
  ]);
  equal(dec.decode(entries[0].bytes), '{"a":1}');
});

Deno.test("readTar joins the ustar prefix and name", () => {
  const [entry] = readTar(tar([{ name: "policy.wasm", prefix: "some/deep/dir" }]));
  equal(entry.name, "some/deep/dir/policy.wasm");
});

Deno.test("readTar takes long names from PAX and GNU headers for the next member only", () => {
  const long = `/${"d".repeat(150)}/data.json`;
  const entries = readTar(tar([
    { name: "PaxHeaders/x", type: "x", body: pax({ mtime: "0", path: long }) },
    { name: "truncated", body: "1" },
    { name: "././@LongLink", type: "L", body: `${long}2\0` },
    { name: "truncated", body: "2" },
    { name: "/short", body: "3" },
  ]));
  assertEquals(entries.map((e) => e.name), [long, `${long}2`, "/short"]);
});

Deno.test("readTar ignores PAX global headers", () => {
  const entries = readTar(tar([{ name: "g", type: "g", body: pax({ comment: "hi" }) }, {
    name: "/a",
  }]));
  assertEquals(entries.map((e) => e.name), ["/a"]);
});

Deno.test("readTar accepts an archive without the end-of-archive blocks", () => {
  equal(readTar(tar([{ name: "/a", body: "x" }], { end: false })).length, 1);
});

Deno.test("readTar rejects a member that runs past the end of the archive", () => {
  const archive = tar([{ name: "/a", body: "x".repeat(1000) }], { end: false });
  throws(() => readTar(archive.subarray(0, 1024)), /needs 1000 bytes/);
});

Deno.test("readTar rejects a header with a bad checksum", () => {
  const archive = tar([{ name: "/a", body: "x" }]);
  archive[0] = "b".charCodeAt(0);
  throws(() => readTar(archive), /bad checksum/);
});

Deno.test("readTar rejects bytes that are not a tar archive", () => {
  throws(() => readTar(new TextEncoder().encode("not a tar archive".repeat(40))), /bad checksum/);
});
