import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { applyJsonPatch, JsonPatchError, parsePointer } from "./json_patch.ts";

/** Asserts that the patch fails at op `index` with a message matching `pattern`. */
function fails(document: unknown, ops: unknown[], index: number, pattern: RegExp) {
  throws(() => applyJsonPatch(document, ops), (e: unknown) => {
    ok(e instanceof JsonPatchError, String(e));
    equal(e.index, index);
    ok(pattern.test(e.message), e.message);
    return true;
  });
}

// RFC 6902 Appendix A; A.13 (a duplicated "op" member) cannot be expressed once parsed.
const APPENDIX_A: { note: string; doc: unknown; patch: unknown[]; want: unknown }[] = [
  {
    note: "A.1 adding an object member",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux" }],
    want: { baz: "qux", foo: "bar" },
  },
  {
    note: "A.2 adding an array element",
    doc: { foo: ["bar", "baz"] },
    patch: [{ op: "add", path: "/foo/1", value: "qux" }],
    want: { foo: ["bar", "qux", "baz"] },
  },
  {
    note: "A.3 removing an object member",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "remove", path: "/baz" }],
    want: { foo: "bar" },
  },
  {
    note: "A.4 removing an array element",
    doc: { foo: ["bar", "qux", "baz"] },
    patch: [{ op: "remove", path: "/foo/1" }],
    want: { foo: ["bar", "baz"] },
  },
  {
    note: "A.5 replacing a value",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "replace", path: "/baz", value: "boo" }],
    want: { baz: "boo", foo: "bar" },
  },
  {
    note: "A.6 moving a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    want: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  {
    note: "A.7 moving an array element",
    doc: { foo: ["all", "grass", "cows", "eat"] },
    patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    want: { foo: ["all", "cows", "eat", "grass"] },
  },
  {
    note: "A.8 testing a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ],
    want: { baz: "qux", foo: ["a", 2, "c"] },
  },
  {
    note: "A.10 adding a nested member object",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/child", value: { grandchild: {} } }],
    want: { foo: "bar", child: { grandchild: {} } },
  },
  {
    note: "A.11 ignoring unrecognized elements",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
    want: { foo: "bar", baz: "qux" },
  },
  {
    note: "A.14 ~ escape ordering",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: 10 }],
    want: { "/": 9, "~1": 10 },
  },
  {
    note: "A.16 adding an array value",
    doc: { foo: ["bar"] },
    patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
    want: { foo: ["bar", ["abc", "def"]] },
  },
];

Deno.test("applyJsonPatch gives the results of RFC 6902 Appendix A", () => {
  for (const { note, doc, patch, want } of APPENDIX_A) {
    assertEquals(applyJsonPatch(doc, patch), want, note);
  }
});

Deno.test("applyJsonPatch fails the RFC 6902 Appendix A error examples", () => {
  // A.9 testing a value: error
  fails({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], 0, /test failed/);
  // A.12 adding to a nonexistent target
  fails({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], 0, /does not exist/);
  // A.15 comparing strings and numbers
  fails({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }], 0, /test failed/);
});

Deno.test("applyJsonPatch add sets a member, inserts into an array and appends with -", () => {
  assertEquals(applyJsonPatch({ a: 1 }, [{ op: "add", path: "/a", value: 2 }]), { a: 2 });
  assertEquals(applyJsonPatch([1, 2], [{ op: "add", path: "/0", value: 0 }]), [0, 1, 2]);
  assertEquals(applyJsonPatch([1, 2], [{ op: "add", path: "/2", value: 3 }]), [1, 2, 3]);
  assertEquals(applyJsonPatch([1, 2], [{ op: "add", path: "/-", value: 3 }]), [1, 2, 3]);
  assertEquals(applyJsonPatch({ a: 1 }, [{ op: "add", path: "", value: [7] }]), [7]);
  assertEquals(applyJsonPatch({}, [{ op: "add", path: "/", value: 1 }]), { "": 1 });
});

Deno.test("applyJsonPatch remove deletes a member or an array element", () => {
  assertEquals(applyJsonPatch({ a: 1, b: 2 }, [{ op: "remove", path: "/a" }]), { b: 2 });
  assertEquals(applyJsonPatch({ a: [1, 2, 3] }, [{ op: "remove", path: "/a/0" }]), { a: [2, 3] });
  fails({ a: 1 }, [{ op: "remove", path: "/b" }], 0, /\("remove" \/b\): path does not exist/);
  fails({ a: 1 }, [{ op: "remove", path: "" }], 0, /cannot remove the whole document/);
});

Deno.test("applyJsonPatch replace changes an existing value only", () => {
  assertEquals(applyJsonPatch({ a: [1, 2] }, [{ op: "replace", path: "/a/1", value: 9 }]), {
    a: [1, 9],
  });
  assertEquals(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: null }]), null);
  fails(
    { params: {} },
    [{ op: "replace", path: "/params/x", value: 1 }],
    0,
    /^patch op 0 \("replace" \/params\/x\): path does not exist$/,
  );
  fails({ a: [1] }, [{ op: "replace", path: "/a/1", value: 1 }], 0, /index 1 is out of range/);
});

Deno.test("applyJsonPatch move and copy take the value at from", () => {
  assertEquals(applyJsonPatch({ a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }]), {
    a: { b: 1 },
    c: { b: 1 },
  });
  assertEquals(applyJsonPatch({ a: 1 }, [{ op: "move", from: "/a", path: "/a" }]), { a: 1 });
  assertEquals(applyJsonPatch([1, 2, 3], [{ op: "move", from: "/0", path: "/-" }]), [2, 3, 1]);
  fails({ a: 1 }, [{ op: "copy", from: "/x", path: "/y" }], 0, /\/x to \/y\): "from" does not/);
  fails({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b" }], 0, /not be a parent/);
});

Deno.test("applyJsonPatch test compares JSON values structurally", () => {
  const doc = { a: { x: [1, { y: null }], z: "s" } };
  const same = { z: "s", x: [1, { y: null }] };
  assertEquals(applyJsonPatch(doc, [{ op: "test", path: "/a", value: same }]), doc);
  fails(doc, [{ op: "test", path: "/a/x", value: [{ y: null }, 1] }], 0, /test failed/);
  fails(doc, [{ op: "test", path: "/a", value: { ...same, extra: 1 } }], 0, /test failed/);
  fails(doc, [{ op: "test", path: "/missing", value: 1 }], 0, /path does not exist/);
});

Deno.test("applyJsonPatch fails the whole patch when a later op fails", () => {
  const doc = { a: 1 };
  fails(
    doc,
    [
      { op: "replace", path: "/a", value: 2 },
      { op: "test", path: "/a", value: 3 },
    ],
    1,
    /^patch op 1 \("test" \/a\): test failed/,
  );
  assertEquals(doc, { a: 1 });
});

Deno.test("applyJsonPatch decodes ~0 and ~1 in pointers", () => {
  const doc = { "a/b": 1, "m~n": 2 };
  assertEquals(applyJsonPatch(doc, [{ op: "replace", path: "/a~1b", value: 3 }]), {
    "a/b": 3,
    "m~n": 2,
  });
  assertEquals(applyJsonPatch(doc, [{ op: "remove", path: "/m~0n" }]), { "a/b": 1 });
  assertEquals(parsePointer("/~0~1/~01"), ["~/", "~1"]);
  assertEquals(parsePointer(""), []);
  fails(doc, [{ op: "remove", path: "/m~2n" }], 0, /"~" not followed by 0 or 1/);
  fails(doc, [{ op: "remove", path: "a" }], 0, /"path" "a" must start with "\/"/);
});

Deno.test("applyJsonPatch rejects array indices that are not canonical or in range", () => {
  const doc = { a: [1, 2] };
  fails(doc, [{ op: "add", path: "/a/3", value: 0 }], 0, /index 3 is out of range/);
  fails(doc, [{ op: "add", path: "/a/01", value: 0 }], 0, /"01" is not an array index/);
  fails(doc, [{ op: "add", path: "/a/x", value: 0 }], 0, /"x" is not an array index/);
  fails(doc, [{ op: "remove", path: "/a/-" }], 0, /"-" is not an array index/);
  fails(doc, [{ op: "test", path: "/a/-", value: 0 }], 0, /path does not exist/);
  fails(doc, [{ op: "add", path: "/a/0/b", value: 0 }], 0, /path does not exist/);
});

Deno.test("applyJsonPatch names the op and what is wrong with a malformed op", () => {
  fails({}, [{ op: "add", path: "/a", value: 1 }, "x"], 1, /^patch op 1: an op must be an object$/);
  fails(
    {},
    [{ op: "delete", path: "/a" }],
    0,
    /^patch op 0 \("delete" \/a\): "op" must be one of add, remove, replace, move, copy, test$/,
  );
  fails({}, [{ path: "/a" }], 0, /^patch op 0: "op" must be one of/);
  fails({}, [{ op: "remove" }], 0, /^patch op 0: "path" must be a string$/);
  fails({}, [{ op: "move", path: "/a" }], 0, /"from" must be a string/);
  fails({}, [{ op: "add", path: "/a" }], 0, /^patch op 0 \("add" \/a\): "value" is missing$/);
});

Deno.test("applyJsonPatch never mutates its input or aliases the patch's values", () => {
  const doc = { a: { b: [1, 2] }, c: { d: 1 } };
  const before = structuredClone(doc);
  const value = { v: 1 };
  const out = applyJsonPatch(doc, [
    { op: "add", path: "/a/b/-", value },
    { op: "remove", path: "/c/d" },
    { op: "copy", from: "/a", path: "/e" },
    { op: "move", from: "/a/b/0", path: "/f" },
  ]) as Record<string, Record<string, unknown>>;
  assertEquals(doc, before);
  assertEquals(out, { a: { b: [2, { v: 1 }] }, c: {}, e: { b: [1, 2, { v: 1 }] }, f: 1 });
  ok((out.a.b as unknown[])[1] !== value, "an added value is a copy");
  ok(out.e !== out.a, "a copied value is a copy");
});

Deno.test("applyJsonPatch keeps a __proto__ member as data", () => {
  const out = applyJsonPatch({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]);
  equal(JSON.stringify(out), '{"__proto__":{"polluted":true}}');
  equal(Object.getPrototypeOf(out), Object.prototype);
});
