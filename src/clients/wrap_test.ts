import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { parseJsonc } from "../jsonc.ts";
import { KmError } from "../errors.ts";
import { type Client, clientNamed } from "./clients.ts";
import { readerFor } from "./readers.ts";
import { restore, statusOf, tryRead, unwrapText, wrapText } from "./wrap.ts";

const FIXTURES = new URL("../../tests/fixtures/clients/", import.meta.url);
const KM = ["km"];

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(`${name}.fixture`, FIXTURES));
}

function client(name: string): Client {
  return clientNamed(name)!;
}

/** The file's values: JSONC or TOML. */
function values(c: Client, text: string): Record<string, unknown> {
  return (c.format === "toml" ? getStaticTOMLValue(parseTOML(text)) : parseJsonc(text)) as Record<
    string,
    unknown
  >;
}

type Servers = Record<string, Record<string, unknown>>;

/** The stdio servers of `data` under `path` (`*` for every key). */
function serversAt(data: unknown, path: readonly string[]): Servers[] {
  if (path.length === 0) return [data as Servers];
  const [head, ...rest] = path;
  const obj = (data ?? {}) as Record<string, unknown>;
  return head === "*"
    ? Object.values(obj).flatMap((v) => serversAt(v, rest))
    : obj[head] === undefined
    ? []
    : serversAt(obj[head], rest);
}

interface Case {
  file: string;
  client: string;
  stdio: string[];
  remote: string[];
}

const CASES: Case[] = [
  {
    file: "claude_desktop_config.json",
    client: "claude-desktop",
    stdio: ["everything", "files", "plain"],
    remote: ["remote"],
  },
  { file: "claude.json", client: "claude-code", stdio: ["github", "db"], remote: ["linear"] },
  { file: "dot_mcp.json", client: "claude-code", stdio: ["everything"], remote: [] },
  { file: "cursor_mcp.json", client: "cursor", stdio: ["fetch", "tabs"], remote: ["notion"] },
  { file: "vscode_mcp.json", client: "vscode", stdio: ["memory"], remote: ["remote", "sse"] },
  { file: "windsurf_mcp_config.json", client: "windsurf", stdio: ["git"], remote: ["figma"] },
  {
    file: "codex_config.toml",
    client: "codex",
    stdio: ["docs", "windows", "bare", "inline"],
    remote: ["remote"],
  },
  {
    file: "gemini_settings.json",
    client: "gemini",
    stdio: ["python-tools"],
    remote: ["http-server", "sse-server"],
  },
];

for (const c of CASES) {
  const cl = client(c.client);
  const read = readerFor(cl);
  const original = fixture(c.file);
  const doc = read(original, c.file);

  Deno.test(`${c.file}: every stdio server is wrapped, keeping its other members and the rest of the file`, () => {
    const result = wrapText(original, doc, { km: KM });
    const stdio = result.outcomes.filter((o) => o.state === "wrapped").map((o) => o.server);
    deepStrictEqual(stdio.map((s) => s.replace(/ \(.*\)$/, "")).sort(), [...c.stdio].sort());
    const remote = result.outcomes.filter((o) => o.state === "not covered").map((o) => o.server);
    deepStrictEqual(remote.sort(), [...c.remote].sort());
    const before = values(cl, original);
    const after = values(cl, result.text);
    for (const path of cl.maps) {
      const [was, now] = [serversAt(before, path), serversAt(after, path)];
      equal(was.length, now.length);
      was.forEach((servers, i) => {
        for (const [name, server] of Object.entries(servers)) {
          const wrapped = now[i][name];
          if (!c.stdio.includes(name)) {
            deepStrictEqual(wrapped, server, `${name} is left alone`);
            continue;
          }
          equal(wrapped.command, "km");
          deepStrictEqual(wrapped.args, [
            "monitor",
            "--name",
            name,
            "--",
            server.command,
            ...(server.args as string[] ?? []),
          ]);
          const rest = (s: Record<string, unknown>) => {
            const { command: _c, args: _a, ...others } = s;
            return others;
          };
          deepStrictEqual(rest(wrapped), rest(server), `${name}'s other members are kept`);
        }
      });
    }
    // Everything outside the servers is the same: other settings, and comments.
    const outside = (v: Record<string, unknown>) => {
      const copy = structuredClone(v);
      for (const path of cl.maps) {
        for (const servers of serversAt(copy, path)) {
          for (const s of Object.values(servers)) delete s.command, delete s.args;
        }
      }
      return copy;
    };
    deepStrictEqual(outside(after), outside(before));
    for (const comment of original.match(/(\/\/|#|\/\*).*$/gm) ?? []) {
      ok(result.text.includes(comment), `comment kept: ${comment}`);
    }
  });

  Deno.test(`${c.file}: wrapping twice changes nothing the second time`, () => {
    const once = wrapText(original, doc, { km: KM }).text;
    const twice = wrapText(once, read(once, c.file), { km: KM });
    equal(twice.text, once);
    ok(twice.outcomes.every((o) => o.state !== "wrapped"));
  });

  Deno.test(`${c.file}: unwrap gives back the original`, () => {
    const wrapped = wrapText(original, doc, { km: KM }).text;
    const wrappedDoc = read(wrapped, c.file);
    // Restored from the backup: byte for byte, always.
    const restored = restore(
      wrapped,
      wrappedDoc,
      [{ name: "b1", text: original }],
      tryRead(read, c.file),
      {
        km: KM,
      },
    );
    equal(restored?.text, original);
    // In place (the file changed since): byte for byte where the server had args; a server
    // that had none keeps an empty list.
    const unwrapped = unwrapText(wrapped, wrappedDoc, { km: KM }).text;
    deepStrictEqual(values(cl, unwrapped), withEmptyArgs(cl, original));
    if (!["claude_desktop_config.json", "codex_config.toml"].includes(c.file)) {
      equal(unwrapped, original);
    }
  });
}

/** The original's values with `args: []` where a stdio server had none, as unwrap leaves it. */
function withEmptyArgs(cl: Client, text: string): Record<string, unknown> {
  const data = values(cl, text);
  for (const path of cl.maps) {
    for (const servers of serversAt(data, path)) {
      for (const s of Object.values(servers)) if (s.command && !s.args) s.args = [];
    }
  }
  return data;
}

Deno.test("a server wrapped by hand is recognised and left alone", () => {
  const text =
    '{"mcpServers": {"a": {"command": "/usr/bin/km", "args": ["monitor", "-v", "--", "x"]}}}';
  const read = readerFor(client("cursor"));
  const doc = read(text, "f");
  const wrapped = wrapText(text, doc, { km: KM });
  equal(wrapped.text, text);
  equal(wrapped.outcomes[0].state, "wrapped by hand");
  equal(unwrapText(text, doc, { km: KM }).text, text);
  equal(statusOf(doc.sites[0], KM).state, "wrapped by hand");
});

Deno.test("--km: a command of several words is written, recognised and unwrapped", () => {
  const km = ["deno", "run", "-A", "/opt/km/main.ts"];
  const text = '{"mcpServers": {"a": {"command": "npx", "args": ["-y", "srv"]}}}';
  const read = readerFor(client("claude-desktop"));
  const wrapped = wrapText(text, read(text, "f"), { km });
  deepStrictEqual(parseJsonc(wrapped.text), {
    mcpServers: {
      a: {
        command: "deno",
        args: ["run", "-A", "/opt/km/main.ts", "monitor", "--name", "a", "--", "npx", "-y", "srv"],
      },
    },
  });
  equal(wrapText(wrapped.text, read(wrapped.text, "f"), { km }).text, wrapped.text);
  equal(unwrapText(wrapped.text, read(wrapped.text, "f"), { km }).text, text);
  // Without --km, that command is not recognised as km.
  equal(statusOf(read(wrapped.text, "f").sites[0], KM).state, "not wrapped");
});

Deno.test("--server wraps only the servers named", () => {
  const original = fixture("claude_desktop_config.json");
  const read = readerFor(client("claude-desktop"));
  const result = wrapText(original, read(original, "f"), { km: KM, only: new Set(["files"]) });
  const servers = (parseJsonc(result.text) as { mcpServers: Servers }).mcpServers;
  equal(servers.files.command, "km");
  equal(servers.everything.command, "npx");
  equal(result.outcomes.find((o) => o.server === "everything")?.state, "not selected");
});

Deno.test("unwrap after an edit: in place, keeping the edit; the backup is not restored", () => {
  const original = fixture("dot_mcp.json");
  const read = readerFor(client("claude-code"));
  const wrapped = wrapText(original, read(original, "f"), { km: KM }).text;
  const edited = wrapped.replace('"DEBUG": "1"', '"DEBUG": "2"');
  const doc = read(edited, "f");
  equal(
    restore(edited, doc, [{ name: "b", text: original }], tryRead(read, "f"), { km: KM }),
    undefined,
  );
  equal(unwrapText(edited, doc, { km: KM }).text, original.replace('"DEBUG": "1"', '"DEBUG": "2"'));
});

Deno.test("restore picks the backup that wrapping gives the file from, newest first", () => {
  const original = fixture("dot_mcp.json");
  const read = readerFor(client("claude-code"));
  const wrapped = wrapText(original, read(original, "f"), { km: KM }).text;
  const restored = restore(
    wrapped,
    read(wrapped, "f"),
    [
      { name: "f.km-backup-2025-01-01", text: original },
      { name: "f.km-backup-2025-02-01", text: wrapped },
      { name: "f.km-backup-2024-01-01", text: "{}" },
    ],
    tryRead(read, "f"),
    { km: KM },
  );
  equal(restored?.backup, "f.km-backup-2025-02-01");
  // That newest backup was itself wrapped: its servers are unwrapped too.
  equal(restored?.text, original);
});

Deno.test("a malformed JSON config is refused naming the file, line and what was expected", () => {
  const read = readerFor(client("claude-desktop"));
  throws(
    () => read(fixture("malformed.json"), "/x/claude_desktop_config.json"),
    (e: unknown) =>
      e instanceof KmError && e.code === "CONFIG_INVALID" &&
      e.message ===
        'Cannot read /x/claude_desktop_config.json at line 3, column 29: expected "," between members',
  );
});

Deno.test("a malformed TOML config is refused naming the file and line", () => {
  throws(
    () => readerFor(client("codex"))(fixture("malformed.toml"), "/x/config.toml"),
    (e: unknown) =>
      e instanceof KmError &&
      /^Cannot read \/x\/config\.toml at line 4, column \d+: expected valid TOML/.test(e.message),
  );
});

Deno.test("servers of the wrong shape are refused naming the server and the line", () => {
  const read = readerFor(client("cursor"));
  throws(
    () => read('{\n"mcpServers": {\n "a": {"command": "x", "args": "-y"}}}', "f"),
    /Cannot read f at line 3, column 32: expected "args" of "a" to be an array of strings$/,
  );
  throws(() => read('{"mcpServers": []}', "f"), /expected "mcpServers" to be an object/);
  throws(() => read('{"mcpServers": {"a": 1}}', "f"), /expected server "a" to be an object/);
  throws(
    () => readerFor(client("codex"))("[mcp_servers.a]\ncommand = 1\n", "f"),
    /Cannot read f at line 2, column 11: expected "command" of "a" to be a string$/,
  );
});

Deno.test("an empty file has no servers", () => {
  equal(readerFor(client("claude-desktop"))("", "f").sites.length, 0);
  equal(readerFor(client("codex"))("", "f").sites.length, 0);
});
