import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { DEFAULTS, parseDuration, parseSize, resolveConfig } from "./config.ts";
import { flagsLayer, MONITOR_OPTIONS } from "../cli/monitor_command.ts";
import { parseOptions } from "../cli/options.ts";
import { loadConfig } from "./load.ts";
import { loadOptions as options } from "./_testing.ts";

Deno.test("resolveConfig gives the defaults with no layers, frozen", () => {
  const config = resolveConfig([]);
  assertEquals(config, DEFAULTS);
  ok(Object.isFrozen(config) && Object.isFrozen(config.env) && Object.isFrozen(config.env.allow));
});

Deno.test("loadConfig applies flags > environment > project > user > defaults", () => {
  const { config, files } = loadConfig(options({
    env: { HOME: "/home/u", KM_LOG_BODIES: "metadata", KM_VERBOSE: "1" },
    flags: { verbose: false },
    files: {
      "/proj/km.jsonc":
        '{ "logBodies": "full", "maxMessageBytes": "1MiB", // project\n "quiet": false, }',
      "/home/u/.config/km/config.jsonc":
        '{"name": "user", "quiet": true, "shutdown": {"terminateWait": "5s"}}',
    },
  }));
  equal(config.logBodies, "metadata");
  equal(config.verbose, false);
  equal(config.maxMessageBytes, 1024 * 1024);
  equal(config.name, "user");
  equal(config.quiet, false);
  assertEquals(config.shutdown, { closeStdinWait: 2000, terminateWait: 5000 });
  assertEquals(files.map((f) => f.found), [true, true]);
});

Deno.test("loadConfig names the file, key and expectation of a bad value", () => {
  throws(
    () => loadConfig(options({ files: { "/proj/km.jsonc": '{"logBodies": "ful"}' } })),
    { message: '/proj/km.jsonc: "logBodies": expected "full" or "metadata", got "ful"' },
  );
});

Deno.test("loadConfig suggests the key meant by a typo", () => {
  throws(
    () => loadConfig(options({ files: { "/proj/km.jsonc": '{"shutdown": {"terminatWait": 1}}' } })),
    {
      message:
        '/proj/km.jsonc: unknown key "shutdown.terminatWait" (did you mean "shutdown.terminateWait"?)',
    },
  );
});

Deno.test("loadConfig lists every problem of every layer at once", () => {
  throws(
    () =>
      loadConfig(options({
        env: { KM_MAX_MESSAGE_BYTES: "lots" },
        files: { "/proj/km.jsonc": '{"verbose": "yes", "env": {"allow": "PATH"}}' },
      })),
    (e: Error) => {
      ok(e.message.includes('environment (KM_*): "maxMessageBytes": expected a size'), e.message);
      ok(
        e.message.includes('/proj/km.jsonc: "verbose": expected true or false, got "yes"'),
        e.message,
      );
      ok(e.message.includes('/proj/km.jsonc: "env.allow": expected a list, got "PATH"'), e.message);
      return true;
    },
  );
});

Deno.test("loadConfig reports JSONC syntax errors with line and column", () => {
  throws(
    () =>
      loadConfig(
        options({ files: { "/proj/km.jsonc": '{\n  "verbose": true\n  "quiet": true\n}' } }),
      ),
    {
      message: 'Cannot parse config file "/proj/km.jsonc" at line 3, column 3: ' +
        "Expected ',' or '}' after property value",
    },
  );
});

Deno.test("loadConfig fails when an explicit --config file is missing", () => {
  throws(() => loadConfig(options({ configPath: "/nope.jsonc" })), {
    message: 'Cannot read config file "/nope.jsonc": file not found',
  });
});

Deno.test("loadConfig warns about unknown KM_ variables with a suggestion", () => {
  const { warnings } = loadConfig(options({ env: { KM_LOG_DIRR: "/x", KM_PARENT_SESSION: "s" } }));
  assertEquals(warnings, [
    "ignoring unknown environment variable KM_LOG_DIRR (did you mean KM_LOG_DIR?)",
  ]);
});

Deno.test("loadConfig works without HOME (a client's minimal environment)", () => {
  const { config, files } = loadConfig(options({ env: {} }));
  equal(config.logBodies, "full");
  equal(files.length, 1);
});

Deno.test("parseSize and parseDuration accept units", () => {
  equal(parseSize("64MiB"), 64 * 1024 * 1024);
  equal(parseSize("10 MB"), 10_000_000);
  equal(parseSize("512"), 512);
  ok(Number.isNaN(parseSize("64 parsecs")));
  equal(parseDuration("2s"), 2000);
  equal(parseDuration("250ms"), 250);
  ok(Number.isNaN(parseDuration("soon")));
});

Deno.test("loadConfig reads the approval timeout and channels from km.jsonc", () => {
  const { config } = loadConfig(options({
    files: { "/proj/km.jsonc": '{"approvals": {"timeout": "30s", "channels": ["client"]}}' },
  }));
  assertEquals(config.approvals, { timeout: 30_000, channels: ["client"] });
  assertEquals(loadConfig(options()).config.approvals, {
    timeout: 45_000,
    channels: ["dashboard", "client"],
  });
});

Deno.test("loadConfig names an unknown approval channel and the ones there are", () => {
  throws(
    () =>
      loadConfig(options({
        files: { "/proj/km.jsonc": '{"approvals": {"channels": ["dashboard", "email"]}}' },
      })),
    {
      message:
        '/proj/km.jsonc: "approvals.channels[1]": expected "dashboard" or "client", got "email"',
    },
  );
  throws(
    () =>
      loadConfig(options({ files: { "/proj/km.jsonc": '{"approvals": {"timeout": "soon"}}' } })),
    (e: Error) => e.message.includes('"approvals.timeout": expected a duration'),
  );
});

Deno.test("loadConfig reads the approval settings from KM_APPROVAL_*", () => {
  const env = (vars: Record<string, string>) =>
    loadConfig(options({ env: { HOME: "/home/u", ...vars } })).config.approvals;
  assertEquals(env({ KM_APPROVAL_CHANNELS: "client", KM_APPROVAL_TIMEOUT: "10s" }), {
    timeout: 10_000,
    channels: ["client"],
  });
  assertEquals(env({ KM_APPROVAL_CHANNELS: " client , dashboard " }).channels, [
    "client",
    "dashboard",
  ]);
  assertEquals(env({ KM_APPROVAL_CHANNELS: "" }).channels, []);
  throws(
    () => env({ KM_APPROVAL_CHANNELS: "client,slack" }),
    (e: Error) => e.message.includes('"approvals.channels[1]": expected "dashboard" or "client"'),
  );
});

Deno.test("km monitor --approval-timeout sets approvals.timeout above the environment", () => {
  const { values } = parseOptions(
    ["--approval-timeout", "2m", "--", "server"],
    MONITOR_OPTIONS,
    "monitor",
  );
  const flags = flagsLayer(values);
  assertEquals(flags, { approvals: { timeout: "2m" } });
  const { config } = loadConfig(options({
    flags,
    env: { HOME: "/home/u", KM_APPROVAL_TIMEOUT: "10s", KM_APPROVAL_CHANNELS: "client" },
  }));
  assertEquals(config.approvals, { timeout: 120_000, channels: ["client"] });
});

Deno.test("resolveConfig rejects a redaction pattern RE2 does not accept, naming file, key and pattern", () => {
  const layers = (pattern: Record<string, string>) => [
    { source: "/proj/km.jsonc", values: { redaction: { patterns: [pattern] } } },
  ];
  throws(() => resolveConfig(layers({ name: "twice", regex: String.raw`(\w)\1` })), {
    message: String.raw`/proj/km.jsonc: "redaction.patterns[0].regex": "(\\w)\\1" is not a ` +
      "valid RE2 pattern: invalid escape sequence: `\\1` (backreferences are not supported: " +
      "RE2 runs in linear time and has no backreferences)",
  });
  throws(
    () => resolveConfig(layers({ name: "t", regex: "key(?=:)" })),
    /lookahead is not supported/,
  );
  throws(() => resolveConfig(layers({ name: "t", regex: "x", flags: "y" })), {
    message:
      '/proj/km.jsonc: "redaction.patterns[0].flags": flag "y" is not supported (RE2 flags: i, m, s, U)',
  });
  const valid = { name: "t", regex: String.raw`(?i)\Qa.b\E\pL+\z`, flags: "gimsU" };
  assertEquals(resolveConfig(layers(valid)).redaction.patterns, [valid]);
});
