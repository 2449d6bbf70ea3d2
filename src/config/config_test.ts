import { deepStrictEqual as assertEquals, equal, ok, throws } from "node:assert/strict";
import { DEFAULTS, parseDuration, parseSize, resolveConfig } from "./config.ts";
import { loadConfig, type LoadOptions } from "./load.ts";

function options(
  overrides: Partial<LoadOptions> & { files?: Record<string, string> } = {},
): LoadOptions {
  const files = overrides.files ?? {};
  return {
    cwd: "/proj",
    os: "linux",
    env: { HOME: "/home/u" },
    flags: {},
    readFile: (path) => files[path],
    ...overrides,
  };
}

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
        '{ "logBodies": "full", "maxMessageBytes": "1MiB", // project\n "name": "p", }',
      "/home/u/.config/km/config.jsonc":
        '{"name": "user", "quiet": true, "shutdown": {"terminateWait": "5s"}}',
    },
  }));
  equal(config.logBodies, "metadata");
  equal(config.verbose, false);
  equal(config.maxMessageBytes, 1024 * 1024);
  equal(config.name, "p");
  equal(config.quiet, true);
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
