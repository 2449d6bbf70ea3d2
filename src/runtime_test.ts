import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BUNDLE_RUN_FLAGS, KM_DENO_FLAGS, selfCommand, useSelfRunFlags } from "./runtime.ts";

Deno.test("selfCommand runs km again with km's flags, and the bundle's run flags once set", () => {
  const [exec, run, ...rest] = selfCommand();
  assertEquals([exec, run], [Deno.execPath(), "run"]);
  assertEquals(rest.slice(0, KM_DENO_FLAGS.length), [...KM_DENO_FLAGS]);
  try {
    useSelfRunFlags(BUNDLE_RUN_FLAGS);
    const again = selfCommand();
    assertEquals(again.slice(2, 2 + BUNDLE_RUN_FLAGS.length), [...BUNDLE_RUN_FLAGS]);
    assertEquals(again.at(-1), rest.at(-1), "the same main module");
  } finally {
    useSelfRunFlags([]);
  }
});
