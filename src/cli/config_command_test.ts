import { equal, ok, throws } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { type ConfigIo, runConfigCommand } from "./config_command.ts";
import { loadConfig } from "../config/load.ts";

const PROJECT = "/proj/km.jsonc";
const STORE = "/home/u/.local/share/km/trusted-configs.json";

function io(files: Record<string, string>, env: Record<string, string> = { HOME: "/home/u" }) {
  const out = bufferWriter();
  const err = bufferWriter();
  const config: ConfigIo = {
    out,
    diagnostics: new Diagnostics(err),
    env,
    os: "linux",
    cwd: "/proj",
    readFile: (path) => files[path],
    writeFile: (path, text) => void (files[path] = text),
    realPath: (path) => path,
    now: () => new Date(0),
  };
  const mode = () =>
    loadConfig({ cwd: "/proj", os: "linux", env, flags: {}, readFile: (p) => files[p] })
      .config.policy.mode;
  return { config, out, err, mode };
}

Deno.test("km config trust applies a project file's settings until it changes", () => {
  const files: Record<string, string> = { [PROJECT]: '{"policy": {"mode": "audit"}}' };
  const { config, out, mode } = io(files);
  equal(mode(), "enforce");
  equal(runConfigCommand(["trust"], {}, config), 0);
  ok(out.text().startsWith(`trusted ${PROJECT} (sha256 `), out.text());
  ok(out.text().includes("policy.mode: turns enforcement off"), out.text());
  ok(JSON.parse(files[STORE]).files[PROJECT].sha256.length === 64);
  equal(mode(), "audit");
  files[PROJECT] = '{"policy": {"mode": "audit"}, "env": {"set": {"X": "1"}}}';
  equal(mode(), "enforce");
});

Deno.test("km config untrust forgets a file", () => {
  const files: Record<string, string> = { [PROJECT]: '{"policy": {"mode": "audit"}}' };
  const { config, out, mode } = io(files);
  runConfigCommand(["trust", "km.jsonc"], {}, config);
  equal(runConfigCommand(["untrust", PROJECT], {}, config), 0);
  ok(out.text().includes(`${PROJECT} is no longer trusted`));
  equal(mode(), "enforce");
});

Deno.test("km config trust records trust in the data folder the user's settings name", () => {
  const files: Record<string, string> = { [PROJECT]: "{}" };
  const { config } = io(files, { HOME: "/home/u", KM_DATA_DIR: "/data" });
  runConfigCommand(["trust"], {}, config);
  ok(files["/data/trusted-configs.json"]);
  runConfigCommand(["trust"], { "data-dir": "/flag" }, config);
  ok(files["/flag/trusted-configs.json"]);
});

Deno.test("km config trust refuses a file that is missing or invalid", () => {
  const { config } = io({ [PROJECT]: '{"policy": {"mode": "off"}}' });
  throws(() => runConfigCommand(["trust", "/nope/km.jsonc"], {}, config), {
    message: 'Cannot trust config file "/nope/km.jsonc": file not found',
  });
  throws(
    () => runConfigCommand(["trust"], {}, config),
    (e: Error) => e.message.includes('"policy.mode": expected "enforce" or "audit", got "off"'),
  );
});

Deno.test("km config show lists the ignored settings, and why, under origin", () => {
  const { config, out, err } = io({ [PROJECT]: '{"env": {"set": {"NODE_OPTIONS": "x"}}}' });
  equal(runConfigCommand(["show"], {}, config), 0);
  const text = out.text();
  ok(text.includes(`//   ${PROJECT} (not trusted: 1 ignored, see "origin")`), text);
  const json = JSON.parse(text.replace(/^\/\/.*\n/gm, ""));
  equal(json.origin.ignored[0].key, "env.set.NODE_OPTIONS");
  ok(json.origin.ignored[0].reason.includes("server's environment"));
  equal(json.origin.files[0].trust, "untrusted");
  ok(err.text().includes(`km config trust ${PROJECT}`), err.text());
});

Deno.test("km config with an unknown subcommand shows the usage", () => {
  const { config } = io({});
  throws(() => runConfigCommand(["trusts"], {}, config), (e: Error & { hint?: string }) => {
    equal(e.message, 'unknown config command "trusts"');
    ok(e.hint?.includes("km config trust|untrust [FILE]"));
    return true;
  });
});

Deno.test("km config show --config FILE: options may follow the subcommand, as the README shows", () => {
  const { config, out } = io({ "/etc/km.jsonc": '{"policy": {"mode": "audit"}}' });
  equal(runConfigCommand(["show", "--config", "/etc/km.jsonc"], {}, config), 0);
  const text = out.text();
  const json = JSON.parse(text.replace(/^\/\/.*\n/gm, ""));
  equal(json.policy.mode, "audit");
  equal(json.origin.files[0].trust, "explicit");
  throws(
    () => runConfigCommand(["show", "--confg", "x"], {}, config),
    (e: Error) => e.message.startsWith('unknown option "--confg" for km config'),
  );
});

Deno.test("km config show shows the data and log folders, resolved", () => {
  const shown = (files: Record<string, string>, env: Record<string, string>) => {
    const { config, out } = io(files, env);
    runConfigCommand(["show"], {}, config);
    return JSON.parse(out.text().replace(/^\/\/.*\n/gm, ""));
  };
  const json = shown({}, { HOME: "/home/u" });
  equal(json.dataDir, "/home/u/.local/share/km");
  equal(json.logDir, "/home/u/.local/share/km/logs");
  equal(Object.keys(json).slice(0, 2).join(), "dataDir,logDir");
  equal(shown({}, { HOME: "/home/u", KM_DATA_DIR: "/d" }).logDir, "/d/logs");
  equal(shown({}, { HOME: "/home/u", KM_LOG_DIR: "/l" }).logDir, "/l");
  const { config, out } = io({}, {});
  runConfigCommand(["show"], {}, config);
  ok(out.text().includes("// no data or log folder: neither HOME nor XDG_DATA_HOME is set"));
});
