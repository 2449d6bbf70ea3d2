import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { childEnv } from "./child_env.ts";

const parent = {
  PATH: "/bin",
  HOME: "/h",
  AWS_SECRET: "s",
  GITHUB_TOKEN: "t",
  MY_A: "1",
  MY_B: "2",
};

Deno.test("childEnv passes the whole environment by default, plus additions", () => {
  assertEquals(childEnv(parent, { inherit: true, allow: [], set: { X: "y" } }, "linux", "s1"), {
    ...parent,
    X: "y",
    KM_PARENT_SESSION: "s1",
  });
});

Deno.test("childEnv scrubs to the minimal set and an allowlist with prefixes", () => {
  assertEquals(
    childEnv(parent, { inherit: false, allow: ["MY_*"], set: { PATH: "/usr/bin" } }, "linux", "s1"),
    {
      PATH: "/usr/bin",
      HOME: "/h",
      MY_A: "1",
      MY_B: "2",
      KM_PARENT_SESSION: "s1",
    },
  );
});
