import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { type OptionSpec, parseOptions } from "./options.ts";

const specs: OptionSpec[] = [
  { name: "verbose", short: "v", kind: "boolean", description: "" },
  { name: "log-dir", kind: "value", description: "" },
  { name: "env", kind: "list", description: "" },
];

Deno.test("parseOptions reads flags, values in both spellings and repeated lists", () => {
  const parsed = parseOptions(
    ["-v", "--log-dir", "/a", "--env=A=1", "--env", "B=2", "--", "srv", "--x"],
    specs,
    "monitor",
  );
  assertEquals(parsed.values, { verbose: true, "log-dir": "/a", env: ["A=1", "B=2"] });
  assertEquals(parsed.rest, ["srv", "--x"]);
  assertEquals(parsed.separated, true);
});

Deno.test("parseOptions stops at the first positional when the -- was eaten", () => {
  const parsed = parseOptions(["--verbose", "npx", "-y", "server", "--verbose"], specs, "monitor");
  assertEquals(parsed.rest, ["npx", "-y", "server", "--verbose"]);
  assertEquals(parsed.separated, false);
});

Deno.test("parseOptions names an unknown option and suggests the right one", () => {
  throws(() => parseOptions(["--log-dri", "/a"], specs, "monitor"), {
    message: 'unknown option "--log-dri" for km monitor (did you mean --log-dir?)',
  });
});

Deno.test("parseOptions says which value is missing", () => {
  throws(() => parseOptions(["--log-dir"], specs, "monitor"), {
    message: "option --log-dir needs a value (VALUE)",
  });
  throws(() => parseOptions(["--verbose=yes"], specs, "monitor"), {
    message: "option --verbose takes no value",
  });
});
