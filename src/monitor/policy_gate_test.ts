import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { type Config, DEFAULTS } from "../config/config.ts";
import type { LoadedPolicy, PolicyLoadOptions } from "../policy/build/load_policy.ts";
import { bufferDiagnostics } from "./_testing.ts";
import { choosePolicy, NO_POLICY, type PolicyIo, watchPolicy } from "./policy_gate.ts";

const loaded = { source: "p", revision: "r1" } as unknown as LoadedPolicy;

function io(calls: unknown[]): PolicyIo {
  return {
    loadPolicy: (path: string, options: PolicyLoadOptions) => {
      calls.push(["load", path, options]);
      return Promise.resolve(loaded);
    },
    loadDefaultPolicy: () => {
      calls.push(["default"]);
      return Promise.resolve(loaded);
    },
    watchPath: (path) => {
      calls.push(["watch", path]);
      return () => {};
    },
  };
}

const withPolicy = (path: string | undefined): Config => ({
  ...DEFAULTS,
  policy: { ...DEFAULTS.policy, path },
});

Deno.test("choosePolicy: none, the embedded default, or the path given with its cache", async () => {
  const calls: unknown[] = [];
  equal(await choosePolicy(withPolicy(NO_POLICY), io(calls), "/data"), undefined);
  equal(await choosePolicy(withPolicy(undefined), io(calls), "/data"), loaded);
  equal(await choosePolicy(withPolicy("/p.rego"), io(calls), "/data"), loaded);
  equal(await choosePolicy(withPolicy("/p.rego"), io(calls), undefined), loaded);
  assertEquals(calls, [
    ["default"],
    ["load", "/p.rego", { dataPath: undefined, cacheDir: "/data/policy-cache" }],
    ["load", "/p.rego", { dataPath: undefined, cacheDir: undefined }],
  ]);
});

Deno.test("watchPolicy: nothing is watched without a gate or without a policy path", () => {
  const calls: unknown[] = [];
  const { diagnostics } = bufferDiagnostics();
  const more = { dataDir: undefined, lifecycle: () => {}, diagnostics };
  equal(watchPolicy(withPolicy("/p.rego"), undefined, { ...io(calls), ...more }), undefined);
  assertEquals(calls, []);
});
