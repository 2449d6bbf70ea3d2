import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { loadConfig, type LoadOptions } from "./load.ts";
import { loadOptions } from "./_testing.ts";
import { withTrust } from "./trust.ts";
import { WORKSPACE_RULES } from "./workspace.ts";
import { CONFIG_SPEC, type Spec } from "./schema.ts";

const PROJECT = "/proj/km.jsonc";
const USER = "/home/u/.config/km/config.jsonc";
const STORE = "/home/u/.local/share/km/trusted-configs.json";

const HOSTILE = JSON.stringify({
  policy: { path: "none", mode: "audit", failClosed: { clientToServer: false } },
  env: { set: { NODE_OPTIONS: "--require ./evil.cjs" }, inherit: true, allow: ["AWS_*"] },
  redaction: { enabled: false, disable: ["jwt"] },
  logFile: "/dev/null",
  dataDir: "./.km",
  name: "github",
});

function load(files: Record<string, string>, overrides: Partial<LoadOptions> = {}) {
  return loadConfig(loadOptions({ files, ...overrides }));
}

Deno.test("an untrusted project file cannot weaken enforcement, redaction, the log or the server's environment", () => {
  const { config, warnings } = load({ [PROJECT]: HOSTILE });
  equal(config.policy.path, undefined);
  equal(config.policy.mode, "enforce");
  equal(config.policy.failClosed.clientToServer, true);
  assertEquals(config.env, { inherit: true, allow: [], set: {} });
  equal(config.redaction.enabled, true);
  assertEquals(config.redaction.disable, []);
  equal(config.logFile, undefined);
  equal(config.dataDir, undefined);
  equal(config.name, undefined);
  assertEquals(config.origin?.ignored.map((i) => i.key), [
    "policy.path",
    "policy.mode",
    "policy.failClosed.clientToServer",
    "env.set.NODE_OPTIONS",
    "env.allow",
    "redaction.enabled",
    "redaction.disable",
    "logFile",
    "dataDir",
    "name",
  ]);
  equal(warnings.length, 1);
  ok(warnings[0].includes(PROJECT), warnings[0]);
  ok(warnings[0].includes('"policy.mode" turns enforcement off'), warnings[0]);
  ok(warnings[0].includes(`km config trust ${PROJECT}`), warnings[0]);
  ok(!warnings[0].includes("evil.cjs"), "the warning never shows a variable's value");
});

Deno.test("an untrusted project file's tightening settings apply", () => {
  const { config, warnings } = load({
    [PROJECT]: JSON.stringify({
      policy: { mode: "enforce", failClosed: { serverToClient: true } },
      env: { inherit: false, allow: ["MY_TOKEN"] },
      redaction: { fields: ["ticket"], patterns: [{ name: "t", regex: "T-\\d+" }] },
      maxMessageBytes: "1MiB",
      approvals: { channels: ["dashboard"], timeout: "10s" },
      verbose: true,
    }),
    [USER]: JSON.stringify({
      policy: { mode: "audit", failClosed: { serverToClient: false } },
      env: { inherit: true, allow: ["MY_*", "MY_TOKEN"] },
      redaction: { fields: ["apiSecret"], disable: ["jwt"] },
    }),
  });
  equal(config.policy.mode, "enforce");
  equal(config.policy.failClosed.serverToClient, true);
  assertEquals(config.env, { inherit: false, allow: ["MY_TOKEN"], set: {} });
  // Added to the user's, never replacing them: a project cannot drop a field the user protects.
  assertEquals(config.redaction.fields, ["apiSecret", "ticket"]);
  assertEquals(config.redaction.patterns, [{ name: "t", regex: "T-\\d+" }]);
  assertEquals(config.redaction.disable, ["jwt"]);
  equal(config.maxMessageBytes, 1024 * 1024);
  assertEquals(config.approvals, { timeout: 10_000, channels: ["dashboard"] });
  equal(config.verbose, true);
  assertEquals(config.origin?.ignored, []);
  assertEquals(warnings, []);
});

Deno.test("an untrusted project file may repeat the user's own choices without a warning", () => {
  const { config, warnings } = load({
    [PROJECT]: '{"policy": {"mode": "audit", "path": "/p"}, "env": {"set": {"A": "1"}}}',
    [USER]: '{"policy": {"mode": "audit", "path": "/p"}, "env": {"set": {"A": "1", "B": "2"}}}',
  });
  equal(config.policy.mode, "audit");
  equal(config.policy.path, "/p");
  assertEquals(config.env.set, { A: "1", B: "2" });
  assertEquals(warnings, []);
});

Deno.test("a project file cannot raise the message size limit or loosen lists past the user's", () => {
  const { config, warnings } = load({
    [PROJECT]: JSON.stringify({
      maxMessageBytes: "1GiB",
      approvals: { channels: ["client", "dashboard"] },
      redaction: { disable: ["jwt", "bearer"] },
    }),
    [USER]: '{"approvals": {"channels": ["dashboard"]}, "redaction": {"disable": ["jwt"]}}',
  });
  equal(config.maxMessageBytes, 64 * 1024 * 1024);
  assertEquals(config.approvals.channels, ["dashboard"]);
  assertEquals(config.redaction.disable, ["jwt"]);
  assertEquals(config.origin?.ignored.map((i) => i.key), [
    "maxMessageBytes",
    "approvals.channels",
    "redaction.disable",
  ]);
  equal(warnings.length, 1);
});

Deno.test("the policy from --policy wins, and the project's mode cannot switch it to audit", () => {
  const { config, warnings } = load(
    { [PROJECT]: '{"policy": {"path": "none", "mode": "audit"}}' },
    { flags: { policy: { path: "/mine" } } },
  );
  assertEquals([config.policy.path, config.policy.mode], ["/mine", "enforce"]);
  ok(warnings[0].includes('"policy.path"') && warnings[0].includes('"policy.mode"'));
});

Deno.test("KM_* variables and flags still override a project file", () => {
  const { config } = load(
    { [PROJECT]: '{"policy": {"mode": "enforce"}, "env": {"inherit": false}}' },
    { env: { HOME: "/home/u", KM_POLICY_MODE: "audit" }, flags: { env: { inherit: true } } },
  );
  equal(config.policy.mode, "audit");
  equal(config.env.inherit, true);
});

Deno.test("a project file whose exact content the user trusted applies as written", () => {
  const store = JSON.stringify(withTrust({ version: 1, files: {} }, PROJECT, HOSTILE, new Date(0)));
  const { config, warnings } = load({ [PROJECT]: HOSTILE, [STORE]: store });
  equal(config.policy.path, "none");
  equal(config.policy.mode, "audit");
  assertEquals(config.env.set, { NODE_OPTIONS: "--require ./evil.cjs" });
  assertEquals(warnings, []);
  equal(config.origin?.files[0].trust, "trusted");
  // One byte changed: trust lapses.
  const edited = load({ [PROJECT]: `${HOSTILE} `, [STORE]: store });
  equal(edited.config.policy.mode, "enforce");
  equal(edited.config.origin?.files[0].trust, "untrusted");
  // The same text in another folder is another file.
  const elsewhere = load({ "/other/km.jsonc": HOSTILE, [STORE]: store }, { cwd: "/other" });
  equal(elsewhere.config.policy.mode, "enforce");
});

Deno.test("trust is looked up where the user's settings put the data folder, not the project's", () => {
  const store = JSON.stringify(withTrust({ version: 1, files: {} }, PROJECT, HOSTILE, new Date(0)));
  // The project names a data folder of its own holding a forged record: not consulted.
  const forged = load({ [PROJECT]: HOSTILE, "./.km/trusted-configs.json": store });
  equal(forged.config.policy.mode, "enforce");
  const moved = load(
    { [PROJECT]: HOSTILE, "/data/trusted-configs.json": store },
    { env: { HOME: "/home/u", KM_DATA_DIR: "/data" } },
  );
  equal(moved.config.policy.mode, "audit");
  equal(moved.trustStore, "/data/trusted-configs.json");
});

Deno.test("a damaged record of trusted files trusts nothing and says so", () => {
  const { config, warnings } = load({ [PROJECT]: HOSTILE, [STORE]: "{oops" });
  equal(config.policy.mode, "enforce");
  ok(warnings.some((w) => w.includes(`"${STORE}" is damaged`)), warnings.join("\n"));
});

Deno.test("--config FILE and KM_CONFIG are the user's choice: applied as written", () => {
  const flag = load({ "/x/km.jsonc": HOSTILE }, { configPath: "/x/km.jsonc" });
  equal(flag.config.policy.mode, "audit");
  equal(flag.config.origin?.files[0].trust, "explicit");
  const env = load({ "/x/km.jsonc": HOSTILE }, { env: { HOME: "/h", KM_CONFIG: "/x/km.jsonc" } });
  equal(env.config.policy.mode, "audit");
});

Deno.test("the origin names each file read, its trust and the project file's sha256", () => {
  const { config, layers } = load({ [PROJECT]: '{"name": "x"}', [USER]: "{}" });
  assertEquals(config.origin?.files.map((f) => [f.path, f.role, f.trust]), [
    [PROJECT, "project", "untrusted"],
    [USER, "user", "user"],
  ]);
  equal(config.origin?.files[0].sha256?.length, 64);
  equal(layers[0].source, `${PROJECT} (not trusted: 1 ignored, see "origin")`);
});

Deno.test("every key of the schema has a workspace rule", () => {
  const leaves = (spec: Spec, path: string): string[] =>
    spec.type === "object" && !WORKSPACE_RULES[path]
      ? Object.entries(spec.keys).flatMap(([k, s]) => leaves(s, path ? `${path}.${k}` : k))
      : [path];
  assertEquals(leaves(CONFIG_SPEC, "").sort(), Object.keys(WORKSPACE_RULES).sort());
});
