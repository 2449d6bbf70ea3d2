import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { clientNamed } from "./clients.ts";
import { managedSnippet } from "./managed.ts";
import { readerFor } from "./readers.ts";

const FIXTURES = new URL("../../tests/fixtures/clients/", import.meta.url);

function sitesOf(client: string, file: string) {
  const text = Deno.readTextFileSync(new URL(`${file}.fixture`, FIXTURES));
  return readerFor(clientNamed(client)!)(text, file).sites;
}

Deno.test("Codex: requirements.toml identities, km's command for stdio servers, the url for remote ones", () => {
  const managed = managedSnippet("codex", sitesOf("codex", "codex_config.toml"), ["/opt/km"])!;
  ok(managed.text.startsWith('[mcp_servers.docs.identity]\ncommand = "/opt/km"\n'), managed.text);
  ok(managed.text.includes('[mcp_servers.remote.identity]\nurl = "https://mcp.example.com/mcp"\n'));
  ok(managed.where.includes("/etc/codex/requirements.toml"));
});

Deno.test("Gemini CLI: system settings naming the allowed servers, defined wrapped", () => {
  const managed = managedSnippet("gemini", sitesOf("gemini", "gemini_settings.json"), ["km"])!;
  const settings = JSON.parse(managed.text);
  deepStrictEqual(settings.mcp.allowed, ["python-tools", "http-server", "sse-server"]);
  deepStrictEqual(settings.mcpServers["python-tools"], {
    command: "km",
    args: [
      "monitor",
      "--name",
      "python-tools",
      "--",
      "python",
      "-m",
      "my_mcp_server",
      "--port",
      "8080",
    ],
  });
});

Deno.test("Windsurf: whitelist entries whose regular expressions match the wrapped command exactly", () => {
  const managed = managedSnippet("windsurf", sitesOf("windsurf", "windsurf_mcp_config.json"), [
    "km",
  ])!;
  equal(
    managed.text,
    'Server ID: git\nServer Config (JSON): {"command":"km","args":["monitor","--name","git","--","uvx","mcp-server-git","--repository","/home/me/repo"]}\n',
  );
  const dotted = managedSnippet(
    "windsurf",
    sitesOf("claude-desktop", "claude_desktop_config.json"),
    ["km"],
  )!;
  ok(
    dotted.text.includes('"C:\\\\\\\\Program Files\\\\\\\\nodejs\\\\\\\\npx\\\\.cmd"'),
    dotted.text,
  );
});

Deno.test("clients without a managed setting for commands have no snippet", () => {
  for (const client of ["claude-desktop", "cursor", "vscode"] as const) {
    equal(managedSnippet(client, [], ["km"]), undefined);
  }
});
