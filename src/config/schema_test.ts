import { equal, ok, throws } from "node:assert/strict";
import { resolveConfig } from "./config.ts";
import { loadConfig } from "./load.ts";
import { CONFIG_SPEC, ENV_KEYS } from "./schema.ts";

const DAY = 86_400_000;
const file = (values: Record<string, unknown>) => [{ source: "/u/config.jsonc", values }];

Deno.test('logRetention: off by default; an age in ms; "off" turns it off again', () => {
  equal(resolveConfig([]).logRetention, undefined);
  equal(resolveConfig(file({ logRetention: "30d" })).logRetention, 30 * DAY);
  equal(resolveConfig(file({ logRetention: "12h" })).logRetention, 12 * 3_600_000);
  const layers = [
    { source: "command line", values: { logRetention: "off" } },
    ...file({ logRetention: "30d" }),
  ];
  equal(resolveConfig(layers).logRetention, undefined);
  ok(!("logRetention" in JSON.parse(JSON.stringify(resolveConfig(layers)))));
});

Deno.test("logRetention: a typo names the key, what was expected and a suggestion", () => {
  throws(() => resolveConfig(file({ logRetention: "30 days" })), {
    message: '/u/config.jsonc: "logRetention": expected "off" or an age: a whole number and ' +
      's, m, h, d or w (e.g. "30s", "15m", "1h", "7d"), got "30 days" (did you mean "30d"?)',
  });
  throws(() => resolveConfig(file({ logRetention: 30 })), {
    message: '/u/config.jsonc: "logRetention": expected an age such as "30d", or "off", got 30',
  });
  throws(() => resolveConfig(file({ logRetention: "0d" })), /got "0d"/);
});

Deno.test("logRetention from KM_LOG_RETENTION; a project file cannot set it untrusted", () => {
  equal(ENV_KEYS.KM_LOG_RETENTION, "logRetention");
  ok("logRetention" in CONFIG_SPEC.keys);
  const loaded = loadConfig({
    cwd: "/proj",
    os: "linux",
    env: { HOME: "/home/u", KM_LOG_RETENTION: "7d" },
    flags: {},
    readFile: (path) => (path === "/proj/km.jsonc" ? '{"logRetention": "1h"}' : undefined),
  });
  equal(loaded.config.logRetention, 7 * DAY);
  equal(loaded.config.origin?.ignored[0].key, "logRetention");
});
