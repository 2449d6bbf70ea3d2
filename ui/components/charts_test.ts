import { equal } from "node:assert/strict";
import { niceMax } from "./charts.tsx";

Deno.test("niceMax() rounds the y axis up to 1, 2 or 5 times a power of ten", () => {
  equal(niceMax(0), 1);
  equal(niceMax(1), 1);
  equal(niceMax(3), 5);
  equal(niceMax(7), 10);
  equal(niceMax(12), 20);
  equal(niceMax(50), 50);
  equal(niceMax(51), 100);
  equal(niceMax(1234), 2000);
});
