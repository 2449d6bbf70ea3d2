import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseMixed } from "./mixed_options.ts";
import type { OptionSpec } from "./options.ts";

const SPECS: OptionSpec[] = [
  { name: "force", kind: "boolean", description: "" },
  { name: "config", kind: "value", description: "" },
  { name: "tag", kind: "list", description: "" },
];

Deno.test("parseMixed reads options before, between and after positionals", () => {
  assertEquals(parseMixed(["show", "--config", "f.jsonc"], SPECS, "x"), {
    values: { config: "f.jsonc" },
    positionals: ["show"],
  });
  assertEquals(parseMixed(["--tag", "a", "dir", "--force", "--tag=b", "more"], SPECS, "x"), {
    values: { tag: ["a", "b"], force: true },
    positionals: ["dir", "more"],
  });
  assertEquals(parseMixed(["a", "--", "--force"], SPECS, "x"), {
    values: {},
    positionals: ["a", "--force"],
  });
});

Deno.test("parseMixed rejects an unknown option wherever it is", () => {
  throws(
    () => parseMixed(["dir", "--forse"], SPECS, "init"),
    (e: Error) => e.message === 'unknown option "--forse" for km init (did you mean --force?)',
  );
});
