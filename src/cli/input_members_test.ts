import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { INPUT_MEMBERS, inputWarnings } from "./input_members.ts";

Deno.test("inputWarnings: a misspelled member the policy does not read, with the member it stands for", () => {
  assertEquals(inputWarnings({ kind: "request", tol: { name: "rm" } }, { members: ["tool"] }), [
    'input member "tol" is not part of km\'s input document (did you mean "tool"?)',
  ]);
});

Deno.test("inputWarnings: a member with no near name lists the document's members", () => {
  assertEquals(inputWarnings({ zzzzzzzz: 1 }, { members: [] }), [
    `input member "zzzzzzzz" is not part of km's input document (its members: ${
      INPUT_MEMBERS.join(", ")
    })`,
  ]);
});

Deno.test("inputWarnings: the document's members, and members the policy reads, pass in silence", () => {
  const input = Object.fromEntries(INPUT_MEMBERS.map((m) => [m, 1]));
  assertEquals(inputWarnings(input, { members: ["tool"] }), []);
  assertEquals(inputWarnings({ custom: 1, tool: {} }, { members: ["custom", "tool"] }), []);
});

Deno.test("inputWarnings: a policy whose reads are unknown (a bundle) still gets the warning", () => {
  assertEquals(inputWarnings({ metod: "x" }, {}), [
    'input member "metod" is not part of km\'s input document (did you mean "method"?)',
  ]);
});

Deno.test("inputWarnings: an input that is not an object is not checked", () => {
  for (const input of [[], "tool", 1, null]) assertEquals(inputWarnings(input, {}), []);
});
