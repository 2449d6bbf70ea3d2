import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { memberSpan, objectMembers, withoutMembers } from "./members.ts";

const drop = (...names: string[]) => new Set(names);

Deno.test("objectMembers: names and value spans, nested values skipped whole", () => {
  const text = ' { "a" : 1 , "b":{"x":[1,{"y":"}"}]}, "c\\u0041":"q\\"}", "d":null}';
  const members = objectMembers(text)!;
  assertEquals(members.map((m) => m.name), ["a", "b", "cA", "d"]);
  assertEquals(members.map((m) => text.slice(m.valueStart, m.end)), [
    "1",
    '{"x":[1,{"y":"}"}]}',
    '"q\\"}"',
    "null",
  ]);
  assertEquals(objectMembers("[1]"), undefined);
  assertEquals(objectMembers("{}"), []);
});

Deno.test("memberSpan: the last of a name, inside an object that opens later", () => {
  const text = '{"id":1,"params":{"a":1,"a":2}}';
  const params = memberSpan(text, "params")!;
  const a = memberSpan(text, "a", params.valueStart)!;
  assertEquals(text.slice(a.valueStart, a.end), "2");
  assertEquals(memberSpan(text, "nope"), undefined);
});

Deno.test("withoutMembers: every other byte kept, whichever members go", () => {
  const text = '{ "a": 1,  "b" : [2],\n"c":"3" }';
  assertEquals(withoutMembers(text, drop("a")), '{ "b" : [2],\n"c":"3" }');
  assertEquals(withoutMembers(text, drop("b")), '{ "a": 1,\n"c":"3" }');
  assertEquals(withoutMembers(text, drop("c")), '{ "a": 1,  "b" : [2] }');
  assertEquals(withoutMembers(text, drop("a", "c")), '{ "b" : [2] }');
  assertEquals(withoutMembers(text, drop("a", "b", "c")), "{  }");
  assertEquals(withoutMembers(text, drop("x")), text);
  assertEquals(withoutMembers("{}", drop("a")), "{}");
});

Deno.test("withoutMembers: the result is the same object less the members, big numbers intact", () => {
  const text =
    '{"name":"shell","arguments":{"n":12345678901234567891,"s":"\\u00e9"},"requestState":"k","inputResponses":{"x":{}},"_meta":{}}';
  const out = withoutMembers(text, drop("requestState", "inputResponses"))!;
  assertEquals(
    out,
    '{"name":"shell","arguments":{"n":12345678901234567891,"s":"\\u00e9"},"_meta":{}}',
  );
  const { requestState: _s, inputResponses: _r, ...rest } = JSON.parse(text);
  assertEquals(JSON.parse(out), rest);
});

Deno.test("withoutMembers: an object that opens after other text", () => {
  const text = '{"id":2,"params":{"x":1,"requestState":"s"}}';
  const params = memberSpan(text, "params")!;
  assertEquals(withoutMembers(text, drop("requestState"), params.valueStart), '{"x":1}');
});
