import { deepStrictEqual as assertEquals, equal, throws } from "node:assert/strict";
import { type JsoncError, parseJsonc, stripJsonc } from "./jsonc.ts";

Deno.test("parseJsonc accepts line and block comments and trailing commas", () => {
  const text = `{
    // a comment with "quotes" and a , comma
    "a": [1, 2, /* inline */ 3,],
    "b": { "c": "x", }, /* block
    over lines */
    "url": "http://not-a-comment", "s": "/* kept */ // kept, ]",
  }`;
  assertEquals(parseJsonc(text), {
    a: [1, 2, 3],
    b: { c: "x" },
    url: "http://not-a-comment",
    s: "/* kept */ // kept, ]",
  });
});

Deno.test("stripJsonc keeps every position so errors point into the original text", () => {
  const text = '{"a": 1, // x\n "b": 2,\n}';
  equal(stripJsonc(text).length, text.length);
  equal(stripJsonc(text).split("\n").length, 3);
});

Deno.test("parseJsonc reports the line and column of a syntax error", () => {
  throws(() => parseJsonc('{\n  "verbose": true\n  "quiet": true\n}'), (e: JsoncError) => {
    equal(e.line, 3);
    equal(e.column, 3);
    equal(e.message, "Expected ',' or '}' after property value");
    return true;
  });
  throws(
    () => parseJsonc('{"a": '),
    (e: JsoncError) => e.message === "unexpected end of file" && e.line === 1,
  );
});

Deno.test("parseJsonc handles escaped quotes inside strings", () => {
  assertEquals(parseJsonc('{"a": "say \\"hi\\" // not a comment",}'), {
    a: 'say "hi" // not a comment',
  });
});
