import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import type { DoctorFacts } from "./facts.ts";
import { doctorReport, exitCode, type Line, reportJson, reportText } from "./report.ts";

/** A healthy machine: every check OK. Tests change one fact at a time. */
const HEALTHY: DoctorFacts = {
  km: { version: "0.1.0", deno: "2.9.6", denoPin: "2.9.6" },
  compiler: {
    wasm: { path: "/km/.tools/opa-wasm/opa-1.22.2.wasm", from: ".tools", found: true, bytes: 2048 },
  },
  config: {
    layers: ["/home/me/.config/km/config.jsonc"],
    files: [
      { path: "/work/km.jsonc", role: "project", found: false },
      { path: "/home/me/.config/km/config.jsonc", role: "user", found: true },
    ],
    warnings: [],
  },
  folders: [
    {
      role: "data",
      path: "/home/me/.local/share/km",
      exists: true,
      writable: true,
      bytes: 3 * 1024 * 1024,
      sessions: 0,
    },
    {
      role: "log",
      path: "/home/me/.local/share/km/logs",
      exists: true,
      writable: true,
      bytes: 1024 * 1024,
      sessions: 2,
    },
  ],
  dashboard: { state: "not running", discovery: "/home/me/.local/share/km/ui.json" },
  clients: [
    {
      id: "claude-desktop",
      title: "Claude Desktop",
      files: [{
        path: "/home/me/.config/Claude/claude_desktop_config.json",
        role: "user",
        found: true,
        servers: [
          { server: "everything", state: "wrapped" },
          { server: "remote", state: "not covered", detail: "url https://x" },
        ],
      }],
    },
    {
      id: "cursor",
      title: "Cursor",
      files: [{ path: "/home/me/.cursor/mcp.json", role: "user", found: false, servers: [] }],
    },
  ],
};

const without = (lines: Line[], status: Line["status"]) => lines.filter((l) => l.status !== status);
const only = (facts: DoctorFacts, area: string) =>
  doctorReport(facts).filter((l) => l.area === area);

Deno.test("doctor: a healthy machine is all OK and exits 0", () => {
  const lines = doctorReport(HEALTHY);
  assertEquals(without(lines, "OK"), []);
  equal(exitCode(lines), 0);
  const areas = lines.map((l) => l.area);
  assertEquals([...new Set(areas)], [
    "km",
    "policy compiler",
    "config",
    "data folder",
    "log folder",
    "dashboard",
    "Claude Desktop",
    "Cursor",
  ]);
  const text = reportText(lines);
  ok(text.includes("OK    km: km 0.1.0 on deno 2.9.6\n"), text);
  ok(
    text.includes("log folder: /home/me/.local/share/km/logs: writable, 1.0 MiB, 2 session files"),
  );
  ok(
    text.includes(
      "Claude Desktop: /home/me/.config/Claude/claude_desktop_config.json: 1 stdio server, all behind km; 1 remote (not covered",
    ),
    text,
  );
  ok(text.endsWith(`\n${lines.length} OK, 0 WARN, 0 FAIL\n`), text);
});

Deno.test("doctor: another Deno than km's pin is a warning, with the command to use", () => {
  const [line] = only({ ...HEALTHY, km: { ...HEALTHY.km, deno: "2.8.0" } }, "km");
  equal(line.status, "WARN");
  ok(line.text.includes("tested with deno 2.9.6"), line.text);
  ok(line.fix?.includes("npx -y deno@2.9.6"), line.fix);
});

Deno.test("doctor: no WebAssembly compiler is a warning saying what still works and how to build it", () => {
  const wasm = {
    path: "/km/.tools/opa-wasm/opa-1.22.2.wasm",
    from: ".tools" as const,
    found: false,
  };
  const [line] = only({ ...HEALTHY, compiler: { wasm } }, "policy compiler");
  equal(line.status, "WARN");
  ok(line.text.includes("is not at /km/.tools/opa-wasm/opa-1.22.2.wasm"), line.text);
  ok(line.text.includes("embedded default policy"), line.text);
  ok(line.fix?.includes("deno task setup"), line.fix);
  const config = { ...HEALTHY.config, policyPath: "./policies/mine" };
  const [mine] = only({ ...HEALTHY, config, compiler: { wasm } }, "policy compiler");
  ok(mine.text.includes('your policy.path "./policies/mine" may need it'), mine.text);
});

Deno.test("doctor: KM_POLICY_COMPILER asking for an opa that is not there FAILs; one that is there is used", () => {
  const wasm = { ...HEALTHY.compiler.wasm, found: false, bytes: undefined };
  const missing = only({ ...HEALTHY, compiler: { wasm, asked: "opa" } }, "policy compiler");
  equal(missing[0].status, "FAIL");
  ok(missing[0].text.includes("no opa executable was found"), missing[0].text);
  ok(missing[0].fix?.includes("unset KM_POLICY_COMPILER"), missing[0].fix);
  equal(exitCode(doctorReport({ ...HEALTHY, compiler: { wasm, asked: "/opt/opa" } })), 1);
  const found = only(
    { ...HEALTHY, compiler: { wasm, asked: "opa", opa: "/usr/bin/opa" } },
    "policy compiler",
  );
  assertEquals(found.map((l) => l.status), ["OK", "OK"]);
  ok(found[0].text.includes("/usr/bin/opa (KM_POLICY_COMPILER=opa)"), found[0].text);
  ok(found[1].text.includes("not needed"), found[1].text);
});

Deno.test("doctor: a configuration that does not load FAILs with its message and hint", () => {
  const config = {
    error: { message: 'config file "/w/km.jsonc": unknown key "logBodys"', hint: "see docs" },
    layers: [],
    files: [],
    warnings: [],
  };
  const lines = doctorReport({ ...HEALTHY, config });
  assertEquals(only({ ...HEALTHY, config }, "config"), [
    { status: "FAIL", area: "config", text: config.error.message, fix: "see docs" },
  ]);
  equal(exitCode(lines), 1);
});

Deno.test("doctor: an untrusted project file with ignored settings is a warning naming them and the trust command", () => {
  const config = {
    ...HEALTHY.config,
    layers: ["/w/km.jsonc (not trusted: 1 ignored)", "/home/me/.config/km/config.jsonc"],
    project: {
      path: "/w/km.jsonc",
      trust: "untrusted" as const,
      ignored: ['"policy.mode" turns enforcement off'],
    },
    warnings: ["ignoring unknown environment variable KM_LOGDIR (did you mean KM_LOG_DIR?)"],
  };
  const lines = only({ ...HEALTHY, config }, "config");
  assertEquals(lines.map((l) => l.status), ["OK", "WARN", "WARN"]);
  ok(
    lines[0].text.includes(
      "/w/km.jsonc (not trusted: 1 ignored) > /home/me/.config/km/config.jsonc > defaults",
    ),
  );
  ok(lines[1].text.includes('km ignores "policy.mode" turns enforcement off'), lines[1].text);
  equal(lines[1].fix, "read it, then trust it as it is now: km config trust /w/km.jsonc");
  ok(lines[2].text.includes("KM_LOGDIR"), lines[2].text);
  const trusted = only(
    {
      ...HEALTHY,
      config: {
        ...config,
        warnings: [],
        project: { ...config.project, trust: "trusted", ignored: [] },
      },
    },
    "config",
  );
  assertEquals(trusted.map((l) => l.status), ["OK", "OK"]);
  ok(trusted[1].text.includes("trusted (km config trust)"), trusted[1].text);
});

Deno.test("doctor: a folder that cannot be written, or with no home to put it in, FAILs with a fix", () => {
  const [data, log] = HEALTHY.folders;
  const facts = {
    ...HEALTHY,
    folders: [
      { ...data, path: undefined, exists: false },
      { ...log, writable: false, problem: "Permission denied (os error 13)" },
    ],
  };
  const lines = doctorReport(facts);
  const [dataLine] = lines.filter((l) => l.area === "data folder");
  const [logLine] = lines.filter((l) => l.area === "log folder");
  equal(dataLine.status, "FAIL");
  ok(dataLine.fix?.includes("--data-dir"), dataLine.fix);
  equal(logLine.status, "FAIL");
  ok(logLine.text.includes("is not writable: Permission denied"), logLine.text);
  ok(logLine.fix?.includes("--log-dir"), logLine.fix);
  equal(exitCode(lines), 1);
  const fresh = { ...HEALTHY, folders: [data, { ...log, exists: false, writable: undefined }] };
  const [created] = only(fresh, "log folder");
  equal(created.status, "OK");
  ok(created.text.includes("not created yet"), created.text);
});

Deno.test("doctor: a log file that cannot be appended to FAILs", () => {
  const logFile = {
    path: "/var/log/km.jsonl",
    exists: true,
    writable: false,
    problem: "EACCES",
    bytes: 0,
  };
  const [line] = only({ ...HEALTHY, logFile }, "log file");
  equal(line.status, "FAIL");
  ok(line.text.includes("/var/log/km.jsonl (logFile) cannot be appended to: EACCES"), line.text);
});

Deno.test("doctor: the dashboard, running, stale, of another version or reading other logs", () => {
  const running = {
    state: "running" as const,
    discovery: "/d/ui.json",
    url: "http://127.0.0.1:7411/",
    pid: 42,
    version: "0.1.0",
    logDir: "/home/me/.local/share/km/logs",
    sessions: 3,
  };
  const [ok1] = only({ ...HEALTHY, dashboard: running }, "dashboard");
  equal(ok1.status, "OK");
  ok(
    ok1.text.includes("running at http://127.0.0.1:7411/ (pid 42, km 0.1.0, 3 sessions)"),
    ok1.text,
  );
  const other = only({
    ...HEALTHY,
    dashboard: { ...running, version: "0.0.9", logDir: "/elsewhere" },
  }, "dashboard");
  assertEquals(other.map((l) => l.status), ["OK", "WARN", "WARN"]);
  ok(other[2].text.includes("it reads /elsewhere, not your log folder"), other[2].text);
  const stale = only(
    { ...HEALTHY, dashboard: { ...running, state: "not answering" } },
    "dashboard",
  );
  equal(stale[0].status, "WARN");
  equal(stale[0].fix, "if no km ui runs, delete /d/ui.json");
});

Deno.test("doctor: a client's servers not behind km are a warning naming them, with km wrap", () => {
  const clients = [{
    id: "cursor" as const,
    title: "Cursor",
    files: [
      {
        path: "/w/.cursor/mcp.json",
        role: "project" as const,
        found: true,
        servers: [
          { server: "github", state: "not wrapped" as const },
          { server: "files", state: "wrapped" as const },
          { server: "mine", state: "wrapped by hand" as const },
        ],
      },
      {
        path: "/home/me/.cursor/mcp.json",
        role: "user" as const,
        found: true,
        error: 'line 3, column 29: expected ","',
        servers: [],
      },
    ],
  }];
  const lines = only({ ...HEALTHY, clients }, "Cursor");
  assertEquals(lines.map((l) => l.status), ["WARN", "WARN"]);
  equal(lines[0].text, "/w/.cursor/mcp.json: 1 of 3 stdio servers not behind km: github");
  ok(lines[0].fix?.startsWith("km wrap cursor (in this folder)"), lines[0].fix);
  ok(lines[1].text.includes("cannot be read: line 3, column 29"), lines[1].text);
  equal(exitCode(doctorReport({ ...HEALTHY, clients })), 0, "warnings do not fail");
});

Deno.test("doctor: what the files say is shown terminal-safe; --json carries lines and facts", () => {
  const clients = [{
    id: "cursor" as const,
    title: "Cursor",
    files: [{
      path: "/m.json",
      role: "user" as const,
      found: true,
      servers: [{ server: "evil\x1b[2J", state: "not wrapped" as const }],
    }],
  }];
  const lines = doctorReport({ ...HEALTHY, clients });
  const text = reportText(lines);
  ok(text.includes("evil\\x1b[2J") && !text.includes("\x1b"), text);
  const json = JSON.parse(reportJson(lines, { ...HEALTHY, clients }));
  equal(json.ok, true);
  assertEquals(json.counts, { OK: lines.length - 1, WARN: 1, FAIL: 0 });
  equal(json.lines.length, lines.length);
  equal(json.facts.km.version, "0.1.0");
});
