import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { elideLongStrings } from "./skeleton.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const elide = (text: string, keep: number) => {
  const { bytes, elided } = elideLongStrings(enc.encode(text), keep);
  return { text: dec.decode(bytes), elided };
};

Deno.test("elideLongStrings cuts long strings and keeps the structure valid JSON", () => {
  const { text, elided } = elide(
    JSON.stringify({ id: 1, params: { a: "x".repeat(100), b: "short", c: ["y".repeat(50)] } }),
    10,
  );
  equal(elided, 2);
  const value = JSON.parse(text);
  equal(value.id, 1);
  equal(value.params.b, "short");
  equal(value.params.a, "xxxxxxxxxx…[90 more bytes not inspected by km]");
  ok(value.params.c[0].startsWith("yyyyyyyyyy…"));
});

Deno.test("elideLongStrings returns the input itself when nothing is long", () => {
  const bytes = enc.encode('{"a":"b"}');
  equal(elideLongStrings(bytes, 10).bytes, bytes);
});

Deno.test("elideLongStrings never splits an escape or a UTF-8 character", () => {
  for (let keep = 1; keep < 40; keep++) {
    const original = { s: 'ab\\"c\u00e9\u4e2d😀\n\t\u0001' + "\\".repeat(7) + '"z'.repeat(5) };
    const { text } = elide(JSON.stringify(original), keep);
    const parsed = JSON.parse(text); // throws if a cut broke the JSON
    ok(typeof parsed.s === "string", `keep ${keep}`);
    ok(!parsed.s.includes("\uFFFD"), `keep ${keep}: ${parsed.s}`);
  }
});

Deno.test("elideLongStrings handles quotes inside strings and unterminated input", () => {
  const { text } = elide('{"k":"he said \\"hi\\" loudly","n":2}', 5);
  assertEquals(Object.keys(JSON.parse(text)), ["k", "n"]);
  equal(elide('{"k":"unterminated', 3).elided, 0);
});
