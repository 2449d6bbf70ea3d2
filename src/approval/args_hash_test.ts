import { equal, match, notEqual } from "node:assert/strict";
import { argsHash, canonicalJson } from "./args_hash.ts";

Deno.test("argsHash ignores key order at every depth", () => {
  const a = { path: "/tmp", options: { recursive: true, force: false, deep: { x: 1, y: [2] } } };
  const b = { options: { deep: { y: [2], x: 1 }, force: false, recursive: true }, path: "/tmp" };
  equal(argsHash(a), argsHash(b));
  equal(
    canonicalJson(b),
    '{"options":{"deep":{"x":1,"y":[2]},"force":false,"recursive":true},"path":"/tmp"}',
  );
});

Deno.test("argsHash keeps the order of arrays", () => {
  notEqual(argsHash({ files: ["a", "b"] }), argsHash({ files: ["b", "a"] }));
  equal(canonicalJson([{ b: 1, a: 2 }, 3]), '[{"a":2,"b":1},3]');
});

Deno.test("argsHash drops undefined members as JSON does", () => {
  equal(argsHash({ path: "/", force: undefined }), argsHash({ path: "/" }));
  equal(canonicalJson({ a: undefined }), "{}");
  equal(canonicalJson(undefined), "null");
});

Deno.test("argsHash differs for different values", () => {
  notEqual(argsHash({ path: "/" }), argsHash({ path: "/home" }));
  notEqual(argsHash({ n: 1 }), argsHash({ n: "1" }));
  notEqual(argsHash({ a: { b: 1 } }), argsHash({ a: { b: 2 } }));
  notEqual(argsHash({}), argsHash([]));
});

Deno.test("argsHash is 64 hex digits of sha256", () => {
  match(argsHash({ path: "/" }), /^[0-9a-f]{64}$/);
  // sha256 of "{}".
  equal(argsHash({}), "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
});
