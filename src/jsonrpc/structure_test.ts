import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { scanStructure } from "./structure.ts";

Deno.test("scanStructure reports the depth of nested objects and arrays", () => {
  assertEquals(scanStructure("1"), { depth: 0 });
  assertEquals(scanStructure('{"a":[1,{"b":[]}]}'), { depth: 4 });
  assertEquals(scanStructure('"{[not structure]}"'), { depth: 0 });
});

Deno.test("scanStructure survives a million nested arrays without recursion", () => {
  const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
  assertEquals(scanStructure(deep), { depth: 1_000_000 });
});

Deno.test("scanStructure finds a member named twice in one object", () => {
  const text = '{"jsonrpc":"2.0","params":{"name":"echo","name":"shell"}}';
  assertEquals(scanStructure(text).duplicate, "name");
});

Deno.test("scanStructure unescapes names before comparing them", () => {
  assertEquals(scanStructure('{"name":1,"n\\u0061me":2}').duplicate, "name");
  assertEquals(scanStructure('{"a\\"b":1,"a\\u0022b":2}').duplicate, 'a"b');
});

Deno.test("scanStructure finds names that differ only in letter case, with Go's folding", () => {
  assertEquals(scanStructure('{"method":"ping","Method":"tools/call"}').caseVariants, [
    "method",
    "Method",
  ]);
  // U+017F LATIN SMALL LETTER LONG S folds with s; U+212A KELVIN SIGN with k.
  assertEquals(scanStructure('{"s":1,"\u017f":2}').caseVariants, ["s", "\u017f"]);
  assertEquals(scanStructure('{"k":1,"\u212a":2}').caseVariants, ["k", "\u212a"]);
});

Deno.test("scanStructure allows the same name in different objects and in values", () => {
  const text = '{"a":{"name":"x"},"b":{"name":"name"},"c":["name","name"],"name":"a"}';
  assertEquals(scanStructure(text), { depth: 2 });
});

Deno.test("scanStructure is not fooled by quotes and brackets inside strings", () => {
  const text = '{"a":"\\"b\\":{\\"a\\":1}","b":"\\\\","c":"]}"}';
  assertEquals(scanStructure(text), { depth: 1 });
});

Deno.test("scanStructure reads names after whitespace", () => {
  assertEquals(scanStructure('{ "a" : 1 ,\t"a" : 2 }').duplicate, "a");
});
