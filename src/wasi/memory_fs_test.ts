import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { lookup, type MemoryNode, memoryTree, sortedEntries } from "./memory_fs.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function nameOf(node: MemoryNode | string): string {
  if (typeof node === "string") return node;
  return node.kind === "file" ? `file:${new TextDecoder().decode(node.bytes)}` : "dir";
}

Deno.test("memoryTree makes the directories on the way to each file, entries sorted", () => {
  const root = memoryTree(
    new Map([["/w/p/b.rego", bytes("b")], ["/w/p/a.rego", bytes("a")], ["/w/c.json", bytes("c")]]),
  );
  assertEquals(sortedEntries(root).map(([n]) => n), ["w"]);
  const w = lookup(root, "w");
  equal(nameOf(w), "dir");
  if (typeof w === "string" || w.kind !== "dir") throw new Error("w is not a directory");
  assertEquals(sortedEntries(w).map(([n]) => n), ["c.json", "p"]);
  equal(nameOf(lookup(root, "w/p/a.rego")), "file:a");
});

Deno.test("memoryTree gives every node its own inode number", () => {
  const root = memoryTree(new Map([["/a/x", bytes("")], ["/a/y", bytes("")]]));
  const inos = ["a", "a/x", "a/y"].map((p) => (lookup(root, p) as { ino: bigint }).ino);
  equal(new Set([root.ino, ...inos]).size, 4);
});

Deno.test("memoryTree refuses relative paths, dot segments and a file used as a directory", () => {
  throws(() => memoryTree(new Map([["a.rego", bytes("")]])), /"a.rego" is not an absolute path/);
  throws(() => memoryTree(new Map([["/a/../b", bytes("")]])), /"\/a\/..\/b" does not name a file/);
  throws(() => memoryTree(new Map([["/", bytes("")]])), /"\/" does not name a file/);
  throws(
    () => memoryTree(new Map([["/a", bytes("")], ["/a/b", bytes("")]])),
    /"\/a\/b" lies under the file "\/a"/,
  );
  throws(
    () => memoryTree(new Map([["/a/b", bytes("")], ["/a", bytes("")]])),
    /"\/a\/b" lies under the file "\/a"/,
    "whatever the order they are given in",
  );
  throws(
    () => memoryTree(new Map([["/a", bytes("")], ["//a", bytes("")]])),
    /"\/a" names a file given twice/,
  );
});

Deno.test("lookup resolves . and .. but never above the directory it starts from", () => {
  const root = memoryTree(new Map([["/w/p/a.rego", bytes("a")]]));
  const w = lookup(root, "w");
  if (typeof w === "string" || w.kind !== "dir") throw new Error("w is not a directory");
  equal(nameOf(lookup(w, "./p/../p/a.rego")), "file:a");
  equal(nameOf(lookup(w, "")), "dir");
  equal(lookup(w, ".."), "outside");
  equal(lookup(w, "p/../../w"), "outside");
  equal(lookup(w, "p/missing"), "not_found");
  equal(lookup(w, "p/a.rego/x"), "not_a_directory");
  equal(lookup(w, "p/a.rego/"), "not_a_directory");
});
