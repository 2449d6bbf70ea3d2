/**
 * `km doctor` end to end, in a home folder of its own: a Claude Desktop config (the fixture of
 * tests/fixtures/clients) put behind km by `km wrap`, a log folder with a session file. The
 * report says so line by line and exits 0; a log folder km cannot write to FAILs, exit 1.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { FIXTURES, runKm } from "./helpers.ts";

function km(cwd: string, env: Record<string, string>, ...args: string[]) {
  return runKm(args, { cwd, env, clearEnv: true });
}

/** Deno's cache as the tests' Deno has it: km in another HOME must not download it again. */
function denoDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME")}/.cache`;
  return Deno.env.get("DENO_DIR") ?? `${cache}/deno`;
}

Deno.test("km doctor reports a wrapped Claude Desktop config and a log folder, and exits 0; an unwritable log folder FAILs", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "km-doctor-e2e-" }));
  try {
    const home = `${root}/home`;
    const work = `${root}/work`;
    const claude = `${home}/.config/Claude/claude_desktop_config.json`;
    await Deno.mkdir(`${home}/.config/Claude`, { recursive: true });
    await Deno.mkdir(work);
    await Deno.copyFile(`${FIXTURES}/clients/claude_desktop_config.json.fixture`, claude);
    const logs = `${root}/logs`;
    await Deno.mkdir(logs);
    const session = '{"schema":"km.audit/v1","type":"lifecycle","event":"start"}\n';
    await Deno.writeTextFile(`${logs}/2026-01-01T00-00-00Z_everything_1a2b3c4d.jsonl`, session);
    const env = { HOME: home, PATH: Deno.env.get("PATH") ?? "", DENO_DIR: denoDir() };

    const before = await km(work, env, "doctor", "--log-dir", logs);
    equal(before.code, 0, before.stdout + before.stderr);
    ok(
      before.stdout.includes(
        `WARN  Claude Desktop: ${claude}: 3 of 3 stdio servers not behind km: everything, files, plain`,
      ),
      before.stdout,
    );
    ok(before.stdout.includes("      fix: km wrap claude-desktop"), before.stdout);

    const wrap = await km(work, env, "wrap", "claude-desktop");
    equal(wrap.code, 0, wrap.stderr);

    const after = await km(work, env, "doctor", "--log-dir", logs);
    equal(after.code, 0, after.stdout + after.stderr);
    equal(after.stderr, "", "the report is on stdout, nothing else is said");
    const lines = after.stdout.split("\n");
    const line = (start: string) => lines.find((l) => l.startsWith(start)) ?? after.stdout;
    ok(
      line("OK    Claude Desktop:").endsWith(
        `${claude}: 3 stdio servers, all behind km; 1 remote (not covered: km relays stdio only)`,
      ),
      after.stdout,
    );
    ok(
      line("OK    log folder:").includes(`${logs}: writable, ${session.length} B, 1 session file`),
    );
    ok(line("OK    data folder:").includes(`${home}/.local/share/km`), after.stdout);
    ok(line("OK    config: no project file at").endsWith(`${work}/km.jsonc`), after.stdout);
    ok(line("OK    dashboard:").includes("not running"), after.stdout);
    ok(line("OK    km:").includes(`on deno ${Deno.version.deno}`), after.stdout);
    ok(
      /^OK {4}policy compiler: km's OPA \(WebAssembly\) at .*opa-[\d.]+\.wasm/m.test(after.stdout),
    );
    ok(after.stdout.includes("Cursor: no config file found"), after.stdout);
    ok(/\n\d+ OK, 0 WARN, 0 FAIL\n$/.test(after.stdout), after.stdout);
    deepStrictEqual(
      [...Deno.readDirSync(logs)].map((e) => e.name),
      ["2026-01-01T00-00-00Z_everything_1a2b3c4d.jsonl"],
      "the write test leaves nothing behind",
    );

    // A log folder that is a file: km cannot write its sessions there.
    const broken = await km(work, env, "doctor", "--json", "--log-dir", claude);
    equal(broken.code, 1, broken.stdout + broken.stderr);
    const report = JSON.parse(broken.stdout);
    equal(report.ok, false);
    const failed = report.lines.filter((l: { status: string }) => l.status === "FAIL");
    deepStrictEqual(failed.map((l: { area: string }) => l.area), ["log folder"]);
    ok(failed[0].text.includes("it is not a folder"), failed[0].text);
    ok(failed[0].fix.includes("--log-dir"), failed[0].fix);
    equal(report.facts.clients[0].files[0].servers[0].state, "wrapped");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
