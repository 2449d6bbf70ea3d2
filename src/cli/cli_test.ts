import { equal, ok } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import type { MonitorDeps } from "../monitor/monitor.ts";
import { loadPolicy } from "../policy/build/load_policy.ts";
import { VERSION } from "../version.ts";
import { type CliIo, run } from "./cli.ts";

function io(files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const out = bufferWriter();
  const err = bufferWriter();
  const unused = () => {
    throw new Error("not used by this test");
  };
  const cli: CliIo = {
    out,
    diagnostics: new Diagnostics(err),
    env,
    os: "linux",
    cwd: "/proj",
    readFile: (path) => files[path],
    commandContext: { exists: () => false, self: [], resolve: () => undefined },
    stdin: new ReadableStream(),
    stdout: new WritableStream(),
    stderr: unused,
    clock: { now: () => 0, epochMs: () => 0 },
    newSessionId: () => "s",
    spawn: unused as MonitorDeps["spawn"],
    loadPolicy: unused as MonitorDeps["loadPolicy"],
    loadDefaultPolicy: unused as MonitorDeps["loadDefaultPolicy"],
    attachUi: unused as MonitorDeps["attachUi"],
    findDashboard: unused as MonitorDeps["findDashboard"],
    connectDashboard: unused as MonitorDeps["connectDashboard"],
    watchPath: unused as MonitorDeps["watchPath"],
    onSignals: () => () => {},
  };
  return { cli, out, err };
}

Deno.test("km --version prints the version", async () => {
  const { cli, out } = io();
  equal(await run(["--version"], cli), 0);
  ok(out.text().startsWith(`km ${VERSION} `));
});

Deno.test("km with no arguments prints help and exits 2", async () => {
  const { cli, out } = io();
  equal(await run([], cli), 2);
  ok(out.text().includes("km monitor [options] -- <server command...>"));
});

Deno.test("km monitor --help lists every option", async () => {
  const { cli, out } = io();
  equal(await run(["monitor", "--help"], cli), 0);
  for (
    const option of ["--log-dir", "--log-bodies", "--max-message-bytes", "--scrub-env", "--verbose"]
  ) {
    ok(out.text().includes(option), option);
  }
});

Deno.test("km monitor without a server command explains the usage", async () => {
  const { cli, err } = io();
  equal(await run(["monitor"], cli), 2);
  ok(err.text().includes("km: error: km monitor needs the server command to run"));
  ok(err.text().includes("km: hint: usage: km monitor"));
});

Deno.test("km monitor reports a config typo with the file and key, before starting anything", async () => {
  const { cli, err } = io({ "/proj/km.jsonc": '{"logBodys": "full"}' });
  equal(await run(["monitor", "--", "server"], cli), 2);
  ok(
    err.text().includes('/proj/km.jsonc: unknown key "logBodys" (did you mean "logBodies"?)'),
    err.text(),
  );
});

Deno.test("km monitor rejects a bad flag value with the expectation", async () => {
  const { cli, err } = io();
  equal(await run(["monitor", "--log-bodies", "some", "--", "server"], cli), 2);
  ok(
    err.text().includes('command line: "logBodies": expected "full" or "metadata", got "some"'),
    err.text(),
  );
});

Deno.test("km config show prints the merged settings and their sources", async () => {
  const { cli, out } = io({ "/proj/km.jsonc": '{"verbose": true}' }, {
    KM_LOG_BODIES: "metadata",
    HOME: "/h",
  });
  equal(await run(["config", "show"], cli), 0);
  const text = out.text();
  ok(
    text.includes(
      "//   environment (KM_*)\n//   /proj/km.jsonc\n//   /h/.config/km/config.jsonc (user; not found)",
    ),
    text,
  );
  const json = JSON.parse(text.replace(/^\/\/.*\n/gm, ""));
  equal(json.verbose, true);
  equal(json.logBodies, "metadata");
});

Deno.test("an unknown command gets a suggestion", async () => {
  const { cli, err } = io();
  equal(await run(["moniter"], cli), 2);
  ok(err.text().includes('unknown command "moniter" (did you mean "monitor"?)'));
});

Deno.test("km policy --help lists the subcommands, and each has its own help", async () => {
  const { cli, out } = io();
  equal(await run(["policy", "--help"], cli), 0);
  for (
    const usage of ["km policy build <dir>", "km policy test <dir>", "km policy eval --policy"]
  ) {
    ok(out.text().includes(usage), usage);
  }
  for (const [sub, option] of [["build", "--output"], ["test", "--help"], ["eval", "--input"]]) {
    const { cli, out } = io();
    equal(await run(["policy", sub, "--help"], cli), 0);
    ok(out.text().startsWith(`km policy ${sub}: `), out.text());
    ok(out.text().includes(option), option);
  }
});

Deno.test("km policy without a subcommand, or with an unknown one, is a usage error", async () => {
  const bare = io();
  equal(await run(["policy"], bare.cli), 2);
  ok(bare.err.text().includes("km policy needs a subcommand: build, test, eval"), bare.err.text());
  const typo = io();
  equal(await run(["policy", "tset", "dir"], typo.cli), 2);
  ok(typo.err.text().includes('unknown policy command "tset" (did you mean "test"?)'));
  ok(typo.err.text().includes("km: hint: run `km policy --help`"));
});

Deno.test("km policy eval reports an unknown option with the subcommand's help", async () => {
  const { cli, err } = io();
  equal(await run(["policy", "eval", "--polcy", "p"], cli), 2);
  ok(err.text().includes('unknown option "--polcy" for km policy eval (did you mean --policy?)'));
  ok(err.text().includes("run `km policy eval --help`"));
});

Deno.test("km ui explains a bad port, stray arguments and a bad ui config key", async () => {
  const bad = io();
  equal(await run(["ui", "--port", "abc"], bad.cli), 2);
  ok(bad.err.text().includes('--port expects a port number from 0 to 65535, got "abc"'));
  const stray = io();
  equal(await run(["ui", "extra"], stray.cli), 2);
  ok(stray.err.text().includes('km ui takes no arguments, got "extra"'));
  const typo = io({ "/proj/km.jsonc": '{"ui": {"prot": 1}}' });
  equal(await run(["ui"], typo.cli), 2);
  ok(typo.err.text().includes('unknown key "ui.prot" (did you mean "ui.port"?)'), typo.err.text());
  const range = io({}, { KM_UI_PORT: "70000" });
  equal(await run(["ui"], range.cli), 2);
  ok(range.err.text().includes("ui.port"), range.err.text());
});

Deno.test("km config show marks an untrusted project file and lists what it ignored, and why", async () => {
  const { cli, out, err } = io(
    { "/proj/km.jsonc": '{"policy": {"mode": "audit"}, "verbose": true}' },
    { HOME: "/h" },
  );
  equal(await run(["config", "show"], cli), 0);
  const text = out.text();
  ok(text.includes('//   /proj/km.jsonc (not trusted: 1 ignored, see "origin")'), text);
  const json = JSON.parse(text.replace(/^\/\/.*\n/gm, ""));
  equal(json.policy.mode, "enforce");
  equal(json.verbose, true);
  equal(json.origin.ignored[0].key, "policy.mode");
  ok(json.origin.ignored[0].reason.includes("turns enforcement off"));
  ok(err.text().includes("km config trust /proj/km.jsonc"), err.text());
});

Deno.test("km monitor refuses a policy in another package before starting anything", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/p.rego`, 'package mypolicy\ndeny contains "x" if true\n');
    const { cli, err } = io({}, { HOME: "/h" });
    equal(await run(["monitor", "--policy", dir, "--", "server"], { ...cli, loadPolicy }), 2);
    ok(err.text().includes("package mypolicy (p.rego)"), err.text());
    ok(err.text().includes("package kilometers"), err.text());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
