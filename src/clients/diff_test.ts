import { equal } from "node:assert/strict";
import { unifiedDiff } from "./diff.ts";

Deno.test("equal texts have no diff", () => {
  equal(unifiedDiff("a\n", "a\n", "x", "y"), "");
});

Deno.test("a changed line shows with three lines of context and hunk ranges", () => {
  const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  equal(
    unifiedDiff(before, after, "f", "f (after)"),
    "--- f\n+++ f (after)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
  );
});

Deno.test("changes far apart make two hunks; a last line without newline says so", () => {
  const before = "a\n1\n2\n3\n4\n5\n6\n7\n8\nz";
  const after = "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ";
  equal(
    unifiedDiff(before, after, "f", "g"),
    "--- f\n+++ g\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n\\ No newline at end of file\n+Z\n\\ No newline at end of file\n",
  );
});

Deno.test("inserted lines count in the new range only", () => {
  equal(
    unifiedDiff("a\nb\n", "a\nx\ny\nb\n", "f", "g"),
    "--- f\n+++ g\n@@ -1,2 +1,4 @@\n a\n+x\n+y\n b\n",
  );
});
