import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { nextSort, sortRows } from "./sort.ts";

const rows = [
  { name: "b", n: 2 },
  { name: "a", n: undefined },
  { name: "c", n: 10 },
  { name: "d", n: 2 },
];

Deno.test("sortRows() sorts numbers numerically and keeps missing values last", () => {
  assertEquals(sortRows(rows, (r) => r.n, "desc").map((r) => r.name), ["c", "b", "d", "a"]);
  assertEquals(sortRows(rows, (r) => r.n, "asc").map((r) => r.name), ["b", "d", "c", "a"]);
});

Deno.test("sortRows() sorts text and leaves its input alone", () => {
  assertEquals(sortRows(rows, (r) => r.name, "asc").map((r) => r.name), ["a", "b", "c", "d"]);
  assertEquals(rows.map((r) => r.name), ["b", "a", "c", "d"]);
});

Deno.test("nextSort() flips the same column and starts numbers descending", () => {
  assertEquals(nextSort({ key: "calls", dir: "desc" }, "calls", true), {
    key: "calls",
    dir: "asc",
  });
  assertEquals(nextSort({ key: "calls", dir: "asc" }, "p95", true), { key: "p95", dir: "desc" });
  assertEquals(nextSort({ key: "calls", dir: "asc" }, "tool", false), { key: "tool", dir: "asc" });
});
