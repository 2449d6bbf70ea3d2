import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { parseJsonc } from "../jsonc.ts";
import { runWrap, type WrapIo } from "./wrap_command.ts";

const FIXTURES = new URL("../../tests/fixtures/clients/", import.meta.url);

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(`${name}.fixture`, FIXTURES));
}

/** A home folder with Claude Desktop's config (Linux place), and the io to run in it. */
function setup() {
  const home = Deno.makeTempDirSync({ prefix: "km-wrap-" });
  const dir = `${home}/.config/Claude`;
  Deno.mkdirSync(dir, { recursive: true });
  const file = `${dir}/claude_desktop_config.json`;
  Deno.writeTextFileSync(file, fixture("claude_desktop_config.json"), { mode: 0o600 });
  Deno.chmodSync(file, 0o600);
  const out = bufferWriter();
  const err = bufferWriter();
  const io: WrapIo = {
    out,
    diagnostics: new Diagnostics(err),
    env: { HOME: home },
    os: "linux",
    cwd: home,
    now: () => new Date("2025-06-01T12:00:00.000Z"),
  };
  const entries = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  return { home, dir, file, out, err, io, entries };
}

Deno.test("km wrap --dry-run prints the diff and writes nothing", async () => {
  const { file, out, io, entries, home } = setup();
  try {
    equal(await runWrap("wrap", {}, ["claude-desktop", "--dry-run"], io), 0);
    equal(Deno.readTextFileSync(file), fixture("claude_desktop_config.json"));
    deepStrictEqual(entries(), ["claude_desktop_config.json"]);
    const text = out.text();
    ok(text.includes("  everything: wrapped\n"), text);
    ok(text.includes("  remote: not covered (url https://mcp.example.com/sse)\n"), text);
    ok(text.includes(`--- ${file}\n+++ ${file} (after km wrap)\n@@ `), text);
    ok(text.includes('-      "command": "npx",\n'), text);
    ok(text.includes('+      "command": "km",\n'), text);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap writes a backup and the wrapped file with its mode; km unwrap restores the bytes", async () => {
  const { file, dir, out, io, entries, home } = setup();
  try {
    const original = fixture("claude_desktop_config.json");
    equal(await runWrap("wrap", {}, ["claude-desktop"], io), 0);
    const backup = "claude_desktop_config.json.km-backup-2025-06-01T12-00-00-000Z";
    deepStrictEqual(entries(), ["claude_desktop_config.json", backup]);
    equal(Deno.readTextFileSync(`${dir}/${backup}`), original);
    equal(Deno.statSync(file).mode! & 0o777, 0o600);
    equal(Deno.statSync(`${dir}/${backup}`).mode! & 0o777, 0o600);
    const wrapped = Deno.readTextFileSync(file);
    const servers = (parseJsonc(wrapped) as { mcpServers: Record<string, { args: string[] }> })
      .mcpServers;
    deepStrictEqual(servers.everything.args.slice(0, 5), [
      "monitor",
      "--name",
      "everything",
      "--",
      "npx",
    ]);
    ok(out.text().includes(`written; the previous bytes are in ${dir}/${backup}`), out.text());

    // Again: nothing to change, nothing written.
    equal(await runWrap("wrap", {}, ["claude-desktop"], io), 0);
    equal(entries().length, 2);

    const later = { ...io, now: () => new Date("2025-06-02T12:00:00.000Z") };
    equal(await runWrap("unwrap", {}, ["claude-desktop"], later), 0);
    equal(Deno.readTextFileSync(file), original);
    ok(out.text().includes(`restored byte for byte from ${dir}/${backup}`), out.text());
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("a malformed config stops km wrap with the file and line; nothing is written", async () => {
  const { file, io, entries, home } = setup();
  try {
    Deno.writeTextFileSync(file, fixture("malformed.json"));
    await rejects(
      runWrap("wrap", {}, ["claude-desktop"], io),
      (e: unknown) =>
        e instanceof KmError && e.exitCode === 2 &&
        e.message === `Cannot read ${file} at line 3, column 29: expected "," between members`,
    );
    equal(Deno.readTextFileSync(file), fixture("malformed.json"));
    deepStrictEqual(entries(), ["claude_desktop_config.json"]);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap --server NAME wraps that one; an unknown name is refused", async () => {
  const { file, io, home } = setup();
  try {
    equal(await runWrap("wrap", { server: ["files"] }, ["claude-desktop"], io), 0);
    const servers = (parseJsonc(Deno.readTextFileSync(file)) as {
      mcpServers: Record<string, { command: string }>;
    }).mcpServers;
    equal(servers.files.command, "km");
    equal(servers.everything.command, "npx");
    await rejects(
      runWrap("wrap", {}, ["claude-desktop", "--server", "everythin"], io),
      /No server named "everythin" in .* \(did you mean "everything"\?\)/,
    );
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap --status lists clients, files and servers", async () => {
  const { file, out, io, home } = setup();
  try {
    await runWrap("wrap", { server: ["files"] }, ["claude-desktop"], io);
    equal(await runWrap("wrap", { status: true }, [], io), 0);
    const text = out.text();
    ok(
      text.includes(
        `Claude Desktop\n  ${file} (user)\n    everything: not wrapped\n    files: wrapped\n`,
      ),
      text,
    );
    ok(text.includes(`Cursor\n  ${home}/.cursor/mcp.json (user; not found)\n`), text);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap --config FILE edits that file as the client's; --km sets the command", async () => {
  const { out, io, home } = setup();
  try {
    const file = `${home}/codex.toml`;
    Deno.writeTextFileSync(file, fixture("codex_config.toml"));
    const args = ["codex", "--config", "codex.toml", "--km", "/opt/km/bin/km"];
    equal(await runWrap("wrap", {}, args, io), 0);
    const text = Deno.readTextFileSync(file);
    ok(text.includes('command = "/opt/km/bin/km" # runs the docs server\n'), text);
    ok(out.text().includes("  remote: not covered (url https://mcp.example.com/mcp)"), out.text());
    equal(await runWrap("unwrap", {}, ["codex", "--config", file], io), 0);
    equal(Deno.readTextFileSync(file), fixture("codex_config.toml"));
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap --print-managed claude-code prints an allowlist of the wrapped commands", async () => {
  const { out, err, io, home } = setup();
  try {
    Deno.writeTextFileSync(`${home}/.claude.json`, fixture("claude.json"));
    equal(await runWrap("wrap", { "print-managed": true }, ["claude-code"], io), 0);
    const managed = JSON.parse(out.text());
    equal(managed.allowManagedMcpServersOnly, true);
    deepStrictEqual(managed.allowedMcpServers[0], {
      serverCommand: [
        "km",
        "monitor",
        "--name",
        "github",
        "--",
        "docker",
        "run",
        "-i",
        "--rm",
        "-e",
        "GITHUB_TOKEN",
        "ghcr.io/github/github-mcp-server",
      ],
    });
    ok(managed.allowedMcpServers.some((e: { serverUrl?: string }) => e.serverUrl));
    deepStrictEqual(managed.deniedMcpServers[1], {
      serverCommand: ["uvx", "mcp-server-sqlite", "--db-path", "/home/me/app/app.db"],
    });
    ok(err.text().includes("managed-settings.json"), err.text());
    await rejects(
      runWrap("wrap", { "print-managed": true }, ["cursor"], io),
      /Cursor has no managed setting that can require km/,
    );
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

Deno.test("km wrap needs a known client, or --all", async () => {
  const { io, home } = setup();
  try {
    await rejects(runWrap("wrap", {}, [], io), /km wrap needs a client/);
    await rejects(
      runWrap("wrap", {}, ["cursr"], io),
      /unknown client "cursr" \(did you mean "cursor"\?\)/,
    );
    await rejects(runWrap("wrap", {}, ["cursor"], io), /No Cursor config file found/);
    equal(await runWrap("wrap", { all: true, "dry-run": true }, [], io), 0);
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});
