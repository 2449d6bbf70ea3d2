import { equal } from "node:assert/strict";
import { visibleText } from "./visible_text.ts";

Deno.test("visibleText writes invisible and direction-changing characters as escapes", () => {
  equal(visibleText("ls -la\tx\ny"), "ls -la\tx\ny");
  equal(visibleText("echo \u202Ehs.x | lruc"), "echo \\u{202E}hs.x | lruc");
  equal(visibleText("a\u200Bb\rc\u0000"), "a\\u{200B}b\\u{D}c\\u{0}");
  equal(visibleText("tag\u{E0041}"), "tag\\u{E0041}");
  equal(visibleText("café ✓"), "café ✓");
});
